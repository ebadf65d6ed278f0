# The two commands a hospital IT person needs:  `make start`  and  `make test`.
.PHONY: setup start test lint
SHELL := /bin/bash

setup:
	bash scripts/setup.sh

start: setup
	.venv/bin/yibao accounts demo
	.venv/bin/yibao serve

test: setup
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
