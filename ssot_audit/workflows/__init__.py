"""What users do with an audit: baselines, --diff-against a git ref, pre-commit checks, gates
and fixes, and the atomic writes they make."""
