"""The synthetic Uzbekistan: a seeded generator of territories, people and offences with planted truth,
and the `generate` and `demo` commands that load it through the real importers."""
