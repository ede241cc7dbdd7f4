# shellcheck shell=bash
# Source this file (bash or zsh) to use the project's offline toolchain built by `make tools`:
#   . tools/env.sh
# It puts .tools/bin first on PATH and points Pulumi at the project-local home, where the
# Kubernetes provider and the random stand-in are installed as plugins.

if [ -n "${BASH_SOURCE:-}" ]; then
	_jdj_env=${BASH_SOURCE[0]}
elif [ -n "${ZSH_VERSION:-}" ]; then
	# shellcheck disable=SC2296 # zsh-only expansion of the sourced file's path.
	_jdj_env=${(%):-%x}
else
	_jdj_env=$0
fi
JDJ_ROOT=$(cd "$(dirname "$_jdj_env")/.." && pwd)
unset _jdj_env
export JDJ_ROOT

case ":$PATH:" in
*":$JDJ_ROOT/.tools/bin:"*) ;;
*) export PATH="$JDJ_ROOT/.tools/bin:$PATH" ;;
esac
export PULUMI_HOME="$JDJ_ROOT/.tools/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# .tools/bin also holds the plugin binaries; without this, the CLI would run them from PATH and
# warn "using pulumi-resource-kubernetes from $PATH" instead of using the installed plugins.
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
