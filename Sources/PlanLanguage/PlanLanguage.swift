// Lexer, parser, checker and formatter for the plan language.
