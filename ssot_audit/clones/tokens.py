"""The vocabulary of normalised token streams.

A definition's token stream is the pre-order sequence of its libcst nodes, one byte per
node: the node's type, with every identifier written as NAME and every literal as NUMBER or
STRING. Punctuation, whitespace and comments carry no meaning of their own (the tree around
them already does), so they are not tokens and reformatting never changes a stream.
"""

from __future__ import annotations

import functools
from types import MappingProxyType

import libcst as cst

# Fixed order: a node type's code is its index here plus FIRST_CODE. Codes are cached on
# disk, so new node types are appended at the end, never inserted.
SEMANTIC_NODES: tuple[str, ...] = (
    "Add", "AddAssign", "And", "AnnAssign", "Annotation", "Arg", "AsName", "Assert", "Assign",
    "AssignTarget", "Asynchronous", "Attribute", "AugAssign", "Await", "BinaryOperation",
    "BitAnd", "BitAndAssign", "BitInvert", "BitOr", "BitOrAssign", "BitXor", "BitXorAssign",
    "BooleanOperation", "Break", "Call", "ClassDef", "CompFor", "CompIf", "Comparison",
    "ComparisonTarget", "ConcatenatedString", "Continue", "Decorator", "Del", "Dict", "DictComp",
    "DictElement", "Divide", "DivideAssign", "Element", "Ellipsis", "Else", "Equal",
    "ExceptHandler", "ExceptStarHandler", "Expr", "Finally", "FloorDivide", "FloorDivideAssign",
    "For", "FormattedString", "FormattedStringExpression", "From", "FunctionDef", "GeneratorExp",
    "Global", "GreaterThan", "GreaterThanEqual", "If", "IfExp", "Import", "ImportAlias",
    "ImportFrom", "ImportStar", "In", "IndentedBlock", "Index", "Is", "IsNot", "Lambda",
    "LeftShift", "LeftShiftAssign", "LessThan", "LessThanEqual", "List", "ListComp", "Match",
    "MatchAs", "MatchCase", "MatchClass", "MatchKeywordElement", "MatchList", "MatchMapping",
    "MatchMappingElement", "MatchOr", "MatchOrElement", "MatchSequenceElement", "MatchSingleton",
    "MatchStar", "MatchTuple", "MatchValue", "MatrixMultiply", "MatrixMultiplyAssign", "Minus",
    "Modulo", "ModuloAssign", "Multiply", "MultiplyAssign", "NameItem", "NamedExpr", "Nonlocal",
    "Not", "NotEqual", "NotIn", "Or", "Param", "ParamSlash", "ParamSpec", "ParamStar",
    "Parameters", "Pass", "Plus", "Power", "PowerAssign", "Raise", "Return", "RightShift",
    "RightShiftAssign", "Set", "SetComp", "Slice", "StarredDictElement", "StarredElement",
    "Subscript", "SubscriptElement", "Subtract", "SubtractAssign", "Try", "TryStar", "Tuple",
    "TypeAlias", "TypeParam", "TypeParameters", "TypeVar", "TypeVarTuple", "UnaryOperation",
    "While", "With", "WithItem", "Yield",
)  # fmt: skip

# Leaves whose value varies between copies: identifiers and literals.
NAME_NODE = "Name"
NUMBER_NODES = ("Integer", "Float", "Imaginary")
STRING_NODES = ("SimpleString", "FormattedStringText")

NAME = 1
NUMBER = 2
STRING = 3
# Emitted when an indented block closes, so `if a: b` + `c` differs from `if a: b; c`.
BLOCK_END = 4
FIRST_CODE = 8

# Read-only: every worker process builds the same table from the tuple above.
CODES = MappingProxyType({name: FIRST_CODE + i for i, name in enumerate(SEMANTIC_NODES)})

# Clauses that open a line of their own without being statements.
CLAUSES = ("Else", "ExceptHandler", "ExceptStarHandler", "Finally", "MatchCase")


@functools.cache
def node_tables() -> tuple[dict[type[cst.CSTNode], int], dict[type[cst.CSTNode], bool]]:
    """Token code and is-a-statement per node type, built once per process."""
    code_of: dict[type[cst.CSTNode], int] = {getattr(cst, name): code for name, code in CODES.items()}
    statement = (cst.BaseSmallStatement, cst.BaseCompoundStatement)
    return code_of, {t: issubclass(t, statement) for t in code_of}


@functools.cache
def line_starts() -> bytes:
    """The codes that begin a logical line: statements, clauses such as `else:`, and the end
    of a block (a unit of its own, so a block's last line compares like any other)."""
    code_of, is_statement = node_tables()
    starts = [code for t, code in code_of.items() if is_statement[t] or t.__name__ in CLAUSES]
    return bytes(sorted([BLOCK_END, *starts]))


@functools.cache
def compound_codes() -> frozenset[int]:
    """Codes of statements with a body (`if`, `for`, `def`, ...)."""
    code_of, _ = node_tables()
    return frozenset(code for t, code in code_of.items() if issubclass(t, cst.BaseCompoundStatement))


@functools.cache
def statement_codes() -> bytes:
    """Codes of statements (not clauses, not block ends), as a set of bytes."""
    code_of, is_statement = node_tables()
    return bytes(sorted(code for t, code in code_of.items() if is_statement[t]))
