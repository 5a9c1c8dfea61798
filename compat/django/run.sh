#!/bin/sh
# Run Django's own session tests against sessionware's engines on one Django version.
#   compat/django/run.sh VERSION PYTHON
# Fetches Django's sdist from PyPI into .compat/ (gitignored), makes a venv there with
# that Django and sessionware (editable), and runs compat/django/run.py.
set -eu
version=$1
python=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/.compat/django-$version
mkdir -p "$dir"
if [ ! -d "$dir/django-$version/tests/sessions_tests" ]; then
    "$python" -m pip download --quiet --no-deps --no-binary :all: "django==$version" -d "$dir"
    tar -xzf "$dir/django-$version.tar.gz" -C "$dir"
fi
if [ ! -x "$dir/venv/bin/python" ]; then
    "$python" -m venv "$dir/venv"
    "$dir/venv/bin/python" -m pip install --quiet "django==$version" \
        redis==8.1.0 sqlalchemy==2.1.9 'psycopg[binary]==3.3.9'
    "$dir/venv/bin/python" -m pip install --quiet --no-deps -e "$root"
    "$dir/venv/bin/python" -m pip install --quiet itsdangerous werkzeug
fi
cd "$root"
PYTHONPATH="$root/compat/django:$dir/django-$version/tests" \
    "$dir/venv/bin/python" compat/django/run.py
