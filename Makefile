# The two commands of the README. Both install whatever is missing first (scripts/setup.sh).
.PHONY: serve test setup setup-test

serve: setup
	PATH="$(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$$PATH" trunk serve --release

test: setup-test
	scripts/test.sh

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test
