// The checked, typed plan model: see docs/language.md.
