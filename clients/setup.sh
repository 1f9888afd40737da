#!/usr/bin/env bash
# setup.sh installs what the client matrix (clients/run.sh) needs: Debian's
# redis-tools, python3-redis and python3-hiredis for /usr/bin/python3 (PyPI is
# not used), and the Node clients pinned by clients/node/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null || missing+=(redis-tools)
/usr/bin/python3 -c 'import redis' 2>/dev/null || missing+=(python3-redis)
/usr/bin/python3 -c 'import hiredis' 2>/dev/null || missing+=(python3-hiredis)
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: apt-get install ${missing[*]}"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-redis python3-hiredis redis-tools
fi

command -v node >/dev/null || { echo "setup: node (>= 20) and npm are required" >&2; exit 1; }
(cd node && npm ci --no-audit --no-fund --loglevel=error)

echo "setup: redis-cli $(redis-cli --version | awk '{print $2}')," \
	"redis-py $(/usr/bin/python3 -c 'import redis; print(redis.__version__)')," \
	"hiredis $(/usr/bin/python3 -c 'import hiredis; print(hiredis.__version__)')," \
	"node $(node --version)," \
	"$(cd node && node -e 'for (const p of ["ioredis5","ioredis6","redis4","redis5","redis6"]) process.stdout.write(p + " " + require(p + "/package.json").version + " ")')"
