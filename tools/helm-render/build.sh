#!/usr/bin/env bash
# Builds helm-render (main.go) from Debian's Go packages: golang-go,
# golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v3-dev (.ci/run installs them). GOPATH
# mode, as Debian ships Go libraries as sources under /usr/share/gocode. Usage: build.sh OUTPUT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "${1:?output path}" main.go
