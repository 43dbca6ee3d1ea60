"""Row filters such as ``U_L > -0.4 and class == 'SAC'``, evaluated on columns, never executed.

Grammar: comparisons (``< <= > >= == !=``, chained), ``in``/``not in`` a list of constants,
``and``/``&&``, ``or``/``||``, ``not``/``!``, parentheses, numbers, quoted strings, and column
names. Column names that are Python keywords (``class``) work as written; names with other
characters go in backticks (```dG(*NO)` < 0``). Anything else (calls, attributes, arithmetic
on names) is refused. A malformed filter is one :class:`InputError` with its position.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from collections.abc import Mapping

import numpy as np

from .errors import InputError

_COMPARE = {ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Lt: np.less, ast.LtE: np.less_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}
_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
            ast.Compare, ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq, ast.In, ast.NotIn,
            ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List)


def _fail(expression: str, message: str, column: int | None = None) -> InputError:
    if column is None:
        return InputError(f"filter {expression!r}: {message}")
    return InputError(f"filter {expression!r}: {message} at column {column}: "
                      f"{expression[:column - 1]}<<here>>{expression[column - 1:]}")


def _rewrite(expression: str, columns: Mapping[str, object]) -> tuple[str, dict[str, str]]:
    """``&&``/``||``/``!`` as and/or/not; backticked and keyword column names as plain names."""
    names: dict[str, str] = {}

    def placeholder(name: str) -> str:
        key = f"_col{len(names)}_"
        names[key] = name
        return key

    def backtick(m: re.Match) -> str:
        return f" {placeholder(m.group(1))} "

    # (a backtick name shifts positions; errors then name no column)

    text = re.sub(r"`([^`]*)`", backtick, expression)
    if "`" in text:
        raise _fail(expression, "a backtick is never closed", expression.rfind("`") + 1)
    text = text.replace("\n", " ").replace("\r", " ")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        opened = expression.count("(") + expression.count("[") - expression.count(")") - expression.count("]")
        if opened > 0:
            raise _fail(expression, "a '(' is never closed") from None
        quote = "'" if expression.count("'") % 2 else '"'
        raise _fail(expression, f"a {quote} is never closed" if expression.count(quote) % 2
                    else f"cannot be read ({exc.args[0]})") from None
    # rebuild the line token by token, keeping the text between tokens, and remember where each
    # token came from so that a syntax error points into what the user wrote
    pieces: list[str] = []
    origin: list[tuple[int, int]] = []  # (start in the rebuilt text, start in ``text``)
    cursor = 0
    previous = None
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT):
            continue
        start, end = tok.start[1], tok.end[1]
        pieces.append(text[cursor:start])
        word = tok.string
        if tok.type == tokenize.OP and word in ("&", "|"):
            pair = previous is not None and previous.string == word and previous.end == tok.start
            word = "" if pair else (" and " if word == "&" else " or ")
        elif word == "!" and tok.type in (tokenize.OP, tokenize.ERRORTOKEN):
            word = " not "
        elif (tok.type == tokenize.NAME and keyword.iskeyword(word) and word in columns
              and word not in ("and", "or", "not", "in", "is", "True", "False", "None")):
            word = placeholder(word)
        origin.append((sum(map(len, pieces)), start))
        pieces.append(word)
        cursor = end
        previous = tok
    pieces.append(text[cursor:])
    return "".join(pieces), names, origin


def select(expression: str, columns: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Boolean mask (n,) of the rows for which ``expression`` holds (NaN compares false).

    Raises:
        InputError: a malformed filter (with its position), an unknown column (with the closest
            ones) or a comparison of text with a number.
    """
    if not expression or not expression.strip():
        raise _fail(expression, "is empty; write e.g. \"U_L > -0.5 and ok\"")
    text, names, origin = _rewrite(expression, columns)
    try:
        tree = ast.parse("(" + text + ")", mode="eval")
    except SyntaxError as exc:
        column = None
        if exc.offset and "`" not in expression:  # backticks shift positions; then no column
            at = exc.offset - 2  # 0-based, without the opening parenthesis
            starts = [(new, old) for new, old in origin if new <= at]
            new, old = starts[-1] if starts else (0, 0)
            column = min(old + (at - new), len(expression)) + 1
        reason = "" if exc.msg in ("invalid syntax", "'(' was never closed") else f" ({exc.msg})"
        raise _fail(expression, "invalid syntax" + reason, column) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = {ast.Call: "calls are", ast.Attribute: "attributes are", ast.BinOp: "arithmetic is",
                    ast.Subscript: "subscripts are"}.get(type(node), f"{type(node).__name__} is")
            raise _fail(expression, f"{what} not allowed: compare columns with values, e.g. U_L > -0.5")
        if isinstance(node, ast.Name):
            name = names.get(node.id, node.id)
            if name not in columns:
                import difflib

                close = difflib.get_close_matches(name, list(columns), n=3, cutoff=0.6)
                hint = f"did you mean {' or '.join(map(repr, close))}? " if close else (
                    f"if {name!r} is a value, quote it ('{name}'); " if isinstance(node.ctx, ast.Load) else "")
                raise _fail(expression, f"unknown column {name!r}; {hint}columns: {', '.join(sorted(columns))}")
    resolved = {key: columns[name] for key, name in names.items()}
    resolved.update({k: v for k, v in columns.items() if k not in resolved})
    try:
        with np.errstate(invalid="ignore"):
            out = _evaluate(tree.body, resolved, names)
    except _TypeClash as exc:
        raise _fail(expression, str(exc)) from None
    mask = np.broadcast_to(np.asarray(out), (n,))
    if mask.dtype != bool:
        raise _fail(expression, "is not a condition; compare a column with a value, e.g. U_L > -0.5")
    return np.array(mask)


class _TypeClash(Exception):
    pass


def _constant(node) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    raise _TypeClash("'in' takes a list of values, e.g. class in ('SAC', 'DAC')")


def _evaluate(node, cols, names):
    if isinstance(node, ast.BoolOp):
        values = [_boolean(_evaluate(v, cols, names)) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out
    if isinstance(node, ast.UnaryOp):
        v = _evaluate(node.operand, cols, names)
        if isinstance(node.op, ast.Not):
            return ~_boolean(v)
        if isinstance(v, np.ndarray) and v.dtype == object:
            raise _TypeClash("a sign before a text column")
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, cols, names)
        result = None
        for op, comp in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(comp, (ast.Tuple, ast.List)):
                    raise _TypeClash("'in' takes a list of values, e.g. class in ('SAC', 'DAC')")
                r = np.isin(left, [_constant(e) for e in comp.elts])
                r = ~r if isinstance(op, ast.NotIn) else r
                right = None
            else:
                right = _evaluate(comp, cols, names)
                r = _compare(op, left, right, node, names)
            result = r if result is None else result & r
            left = right
        return result
    if isinstance(node, ast.Name):
        return cols[node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        raise _TypeClash("a list of values goes after 'in'")
    return node.value


def _is_text(value) -> bool:
    return isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype == object)


def _compare(op, left, right, node, names):
    if _is_text(left) != _is_text(right) and not (left is None or right is None):
        side = node.left if isinstance(node.left, ast.Name) else next(
            (c for c in node.comparators if isinstance(c, ast.Name)), None)
        name = names.get(side.id, side.id) if side is not None else "a column"
        raise _TypeClash(f"compares text with a number (column {name!r}); quote text values: class == 'SAC'")
    if _is_text(left) and type(op) not in (ast.Eq, ast.NotEq):
        raise _TypeClash("text columns compare with == or != only")
    return _COMPARE[type(op)](left, right)


def _boolean(value):
    arr = np.asarray(value)
    if arr.dtype != bool:
        raise _TypeClash("and/or/not join conditions; compare a column with a value, e.g. U_L > -0.5")
    return arr
