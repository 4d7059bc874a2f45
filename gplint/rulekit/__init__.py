"""Helpers the rule modules share, one floor below them: edit builders, value verdicts (which
values a fix may copy), and the analyses several rules ask the same question of."""
