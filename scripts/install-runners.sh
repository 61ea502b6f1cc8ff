#!/usr/bin/env bash
# The real Dream Council CLIs, pinned, for the argument-compatibility tests
# (test/unit/council-real-cli.test.ts). Test-harness tooling in the harness cache (like code-server),
# never project dependencies. Idempotent: ~0.1 s when both pinned versions are already there.
#
# usage: scripts/install-runners.sh [PREFIX]
#   PREFIX  default ${DREAM_CACHE:-$HOME/.cache/dream-ci}/runners
#           (the tests run PREFIX/node_modules/.bin/codex and .../claude)
set -euo pipefail
CODEX_VERSION=0.169.0
CLAUDE_VERSION=2.1.331 # the newest 2.1.x on npm when pinned
PREFIX="${1:-${DREAM_CACHE:-$HOME/.cache/dream-ci}/runners}"
mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"

version_of() { node -p "require('$PREFIX/node_modules/$1/package.json').version" 2>/dev/null || true; }
# the claude package ships a native binary put in place by its postinstall; check that it starts
works() { "$PREFIX/node_modules/.bin/codex" --version >/dev/null 2>&1 && "$PREFIX/node_modules/.bin/claude" --version >/dev/null 2>&1; }

if [ "$(version_of @openai/codex)" = "$CODEX_VERSION" ] && [ "$(version_of @anthropic-ai/claude-code)" = "$CLAUDE_VERSION" ] && works; then
  echo "install-runners: codex $CODEX_VERSION and claude $CLAUDE_VERSION present in $PREFIX"
  exit 0
fi
echo "install-runners: installing @openai/codex@$CODEX_VERSION @anthropic-ai/claude-code@$CLAUDE_VERSION into $PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
  "@openai/codex@$CODEX_VERSION" "@anthropic-ai/claude-code@$CLAUDE_VERSION"
if ! "$PREFIX/node_modules/.bin/claude" --version >/dev/null 2>&1; then
  # npm may hold back install scripts: run claude's own (it links the platform binary)
  (cd "$PREFIX/node_modules/@anthropic-ai/claude-code" && node install.cjs)
fi
works || { echo "install-runners: codex or claude does not start after the install" >&2; exit 1; }
echo "install-runners: codex $("$PREFIX/node_modules/.bin/codex" --version), claude $("$PREFIX/node_modules/.bin/claude" --version)"
