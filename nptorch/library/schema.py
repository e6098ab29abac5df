"""Operator schemas: PyTorch's schema strings parsed into ``FunctionSchema`` objects.

``parse_schema("ns::name.overload(Tensor(a!) x, int n=2, *, float k=1.) -> Tensor")`` gives
the name, the overload name, the arguments (type, name, default, keyword-only, alias
annotation) and the returns; ``str()`` prints a schema as PyTorch does, and malformed strings
raise PyTorch's RuntimeErrors (with the caret under the offending token).
"""
import re

__all__ = ["FunctionSchema", "Argument", "Return", "SchemaType", "AliasInfo", "parse_schema"]

NO_DEFAULT = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()

_BASE_TYPES = frozenset({
    "Tensor", "int", "SymInt", "float", "bool", "str", "Scalar", "ScalarType", "Device",
    "Layout", "MemoryFormat", "Generator", "Any", "Storage", "Stream", "complex", "SymFloat",
    "SymBool", "QScheme"})
# The Python type names of the JIT, used in PyTorch's argument errors.
_PYTHON_NAMES = {"SymInt": "int", "Scalar": "number", "ScalarType": "int", "Layout": "int",
                 "MemoryFormat": "int", "SymFloat": "float", "SymBool": "bool", "QScheme": "int"}
# Enum defaults print as their integer values, as PyTorch's do.
SCALAR_TYPES = {"uint8": 0, "int8": 1, "int16": 2, "int32": 3, "int64": 4, "float16": 5,
                "float32": 6, "float64": 7, "complex32": 8, "complex64": 9, "complex128": 10,
                "bool": 11, "bfloat16": 15}
LAYOUTS = {"strided": 0, "sparse_coo": 1, "sparse_csr": 2, "sparse_csc": 3, "sparse_bsr": 4,
           "sparse_bsc": 5, "_mkldnn": 6, "jagged": 7}
MEMORY_FORMATS = {"contiguous_format": 0, "preserve_format": 1, "channels_last": 2,
                  "channels_last_3d": 3}

_UNKNOWN_TYPE = ("unknown type specifier. Common valid schema types include Tensor, SymInt, "
                 "int, float, bool, Scalar; for a full list, please see "
                 "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/README.md"
                 "#func :")


class AliasInfo:
    """An alias annotation such as ``(a!)``: the alias sets and whether the value is written."""

    def __init__(self, text):
        self.text = text
        self.is_write = "!" in text.split("->")[0]
        before = text.split("->")[0].replace("!", "")
        self.before_set = frozenset(s.strip() for s in before.split("|"))

    def __str__(self):
        if "|" in self.text:  # PyTorch prints alias sets in reverse order
            head, sep, tail = self.text.partition("!")
            return "|".join(reversed(head.split("|"))) + sep + tail
        return self.text


class SchemaType:
    """A schema type: a base type (``name``), ``Optional``/``List`` of ``elem`` (a list may
    have a fixed ``size``) or a ``Tuple`` of ``elems``, with an optional alias annotation."""

    __slots__ = ("name", "elem", "size", "elems", "alias")

    def __init__(self, name, elem=None, size=None, elems=None, alias=None):
        self.name, self.elem, self.size, self.elems, self.alias = name, elem, size, elems, alias

    def __str__(self):
        if self.name == "Optional":
            text = f"{self.elem}?"
        elif self.name == "List":
            text = f"{self.elem}[{'' if self.size is None else self.size}]"
        elif self.name == "Tuple":
            text = "(" + ", ".join(str(e) for e in self.elems) + ")"
        else:
            text = self.name
        return text if self.alias is None else f"{text}({self.alias})"

    def python_str(self):
        """The type as PyTorch names it in argument errors (``List[int]``, ``number``)."""
        if self.name == "Optional":
            return f"Optional[{self.elem.python_str()}]"
        if self.name == "List":
            return f"List[{self.elem.python_str()}]"
        if self.name == "Tuple":
            return "Tuple[" + ", ".join(e.python_str() for e in self.elems) + "]"
        return _PYTHON_NAMES.get(self.name, self.name)

    def unwrap_optional(self):
        return self.elem if self.name == "Optional" else self

    def is_tensor_like(self):
        """``Tensor`` or ``Tensor?``."""
        return self.unwrap_optional().name == "Tensor"

    def is_tensorlist_like(self):
        """``Tensor[]``, ``Tensor?[]`` and their optional forms."""
        t = self.unwrap_optional()
        return t.name == "List" and t.elem.unwrap_optional().name == "Tensor"

    def first_alias(self):
        node = self
        while node is not None:
            if node.alias is not None:
                return node.alias
            node = node.elem
        return None


class Argument:
    """One argument of a schema."""

    def __init__(self, name, type, default=NO_DEFAULT, default_repr=None, kwarg_only=False):
        self.name, self.type, self.kwarg_only = name, type, kwarg_only
        self.default_value, self._default_repr = default, default_repr
        self.alias_info = type.first_alias()

    def has_default_value(self):
        return self.default_value is not NO_DEFAULT

    def __str__(self):
        text = f"{self.type} {self.name}"
        return text if self._default_repr is None else f"{text}={self._default_repr}"


class Return:
    """One return of a schema (``name`` is "" when it has none)."""

    def __init__(self, type, name=""):
        self.type, self.name = type, name
        self.alias_info = type.first_alias()

    def __str__(self):
        return f"{self.type} {self.name}" if self.name else str(self.type)


class FunctionSchema:
    """A parsed schema: ``name`` (``"ns::op"``, or ``"op"`` without namespace),
    ``overload_name`` ("" for the default overload), ``arguments`` and ``returns``."""

    def __init__(self, name, overload_name, arguments, returns):
        self.name, self.overload_name = name, overload_name
        self.arguments, self.returns = arguments, returns

    def with_namespace(self, namespace):
        """The same schema with the name qualified by ``namespace``."""
        name = self.name if "::" in self.name else f"{namespace}::{self.name}"
        return FunctionSchema(name, self.overload_name, self.arguments, self.returns)

    @property
    def is_mutable(self):
        return any(a.alias_info is not None and a.alias_info.is_write for a in self.arguments)

    def _is_view_op(self):
        return any(a.alias_info is not None and not a.alias_info.is_write
                   for a in self.arguments)

    def __str__(self):
        parts, star = [], False
        for a in self.arguments:
            if a.kwarg_only and not star:
                parts.append("*")
                star = True
            parts.append(str(a))
        name = self.name + (f".{self.overload_name}" if self.overload_name else "")
        return f"{name}({', '.join(parts)}) -> {_returns_str(self.returns)}"

    __repr__ = __str__


def _returns_str(returns):
    # one return prints bare, unless it is an unnamed tuple (printed "((...))")
    if len(returns) == 1 and (returns[0].name or returns[0].type.name != "Tuple"):
        return str(returns[0])
    return "(" + ", ".join(str(r) for r in returns) + ")"


# -- lexing --------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<arrow>->)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string_literal>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)


class _Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind, text, start, end):
        self.kind, self.text, self.start, self.end = kind, text, start, end


def _tokenize(source):
    tokens = []
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup
        if kind == "ws":
            continue
        text = m.group()
        tokens.append(_Token(text if kind == "punct" else kind, text, m.start(), m.end()))
    tokens.append(_Token("eof", "", len(source), len(source)))
    return tokens


def _format_number(value):
    """A float as PyTorch prints defaults: ``1.`` for integral values, else 17 digits."""
    if value == int(value) and abs(value) < 2 ** 63:
        return f"{int(value)}."
    return "%.17g" % value


def _literal_repr(value, kind):
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal_repr(v, kind) for v in value) + "]"
    if kind == "Device":
        return value
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


class _Parser:
    def __init__(self, source):
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0

    # -- tokens ----------------------------------------------------------------------------
    @property
    def cur(self):
        return self.tokens[self.pos]

    def next(self):
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def peek(self, offset=1):
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def error_at(self, head, tok, leading_newline=False):
        text = ("\n" if leading_newline else "") + head + "\n" + self.source
        if tok.kind != "eof":
            width = max(1, tok.end - tok.start)
            text += "\n" + " " * tok.start + "~" * width + " <--- HERE\n"
        return RuntimeError(text)

    def expected(self, what):
        return self.error_at(f"expected {what} but found '{self.cur.kind}' here:", self.cur)

    def expect(self, kind):
        if self.cur.kind != kind:
            raise self.expected(kind)
        return self.next()

    def accept(self, kind):
        if self.cur.kind == kind:
            return self.next()
        return None

    # -- grammar ---------------------------------------------------------------------------
    def schema(self):
        name = self.expect("ident").text
        if self.cur.kind == ":" and self.peek().kind == ":":
            self.next(), self.next()
            name += "::" + self.expect("ident").text
        overload = ""
        if self.accept("."):
            overload = self.expect("ident").text
        if self.cur.kind != "(":
            self.expect("eof")
            raise RuntimeError("Tried to parse a function schema but only the operator name was "
                               "given")
        arguments = self.arguments()
        self.expect("arrow")
        returns = self.returns()
        self.expect("eof")
        schema = FunctionSchema(name, overload, arguments, returns)
        _check_defaults_order(schema)
        return schema

    def arguments(self):
        self.expect("(")
        arguments, kwarg_only = [], False
        if self.accept(")"):
            return arguments
        while True:
            if self.accept("*"):
                kwarg_only = True
            else:
                arguments.append(self.argument(kwarg_only))
            if not self.accept(","):
                self.expect(")")
                return arguments

    def argument(self, kwarg_only):
        typ = self.type()
        name = self.expect("ident").text
        if not self.accept("="):
            return Argument(name, typ, kwarg_only=kwarg_only)
        value = self.default(typ)
        return Argument(name, typ, value, _literal_repr(value, typ.unwrap_optional().name),
                        kwarg_only)

    def returns(self):
        if self.cur.kind != "(":
            return [self.return_()]
        self.next()
        returns = []
        if self.accept(")"):
            return returns
        while True:
            returns.append(self.return_())
            if not self.accept(","):
                self.expect(")")
                return returns

    def return_(self):
        typ = self.type()
        name = self.next().text if self.cur.kind == "ident" else ""
        return Return(typ, name)

    def type(self):
        if self.cur.kind == "(":
            self.next()
            elems = [self.type()]
            while self.accept(","):
                elems.append(self.type())
            self.expect(")")
            typ = SchemaType("Tuple", elems=elems)
        else:
            tok = self.expect("ident")
            if tok.text not in _BASE_TYPES:
                raise self.error_at(_UNKNOWN_TYPE, tok, leading_newline=True)
            typ = SchemaType(tok.text)
        typ.alias = self.alias()
        while self.cur.kind in ("?", "["):
            if self.next().kind == "?":
                typ = SchemaType("Optional", elem=typ)
            else:
                size = int(self.next().text) if self.cur.kind == "number" else None
                self.expect("]")
                typ = SchemaType("List", elem=typ, size=size)
            typ.alias = self.alias()
        return typ

    def alias(self):
        if self.cur.kind != "(":
            return None
        self.next()
        parts = []
        while self.cur.kind in ("ident", "*", "!", "|", "arrow"):
            if self.cur.kind in ("ident", "*") and parts and parts[-1] not in ("|", " -> "):
                raise self.expected(")")
            tok = self.next()
            parts.append(" -> " if tok.kind == "arrow" else tok.text)
        self.expect(")")
        return AliasInfo("".join(parts))

    def default(self, typ):
        if self.cur.kind == "ident" and self.cur.text == "None":
            self.next()
            return None
        inner = typ.unwrap_optional()
        if inner.name == "List":
            if self.cur.kind == "[":
                self.next()
                values = []
                if not self.accept("]"):
                    values.append(self.scalar_default(inner.elem.unwrap_optional()))
                    while self.accept(","):
                        values.append(self.scalar_default(inner.elem.unwrap_optional()))
                    self.expect("]")
                return values
            if inner.size is not None and self.cur.kind in ("number", "-"):
                return self.scalar_default(inner.elem)
            raise self.expected("[")
        if inner.name == "Tensor":
            raise self.expected("None")
        return self.scalar_default(inner)

    def scalar_default(self, typ):
        kind = typ.name
        tok = self.cur
        if kind in ("str", "Device"):
            if tok.kind == "string_literal":
                self.next()
                return _unquote(tok.text)
            if kind == "Device" or tok.kind not in ("number", "-"):
                raise self.expected("string_literal")
        if tok.kind == "string_literal":
            self.next()
            return _unquote(tok.text)
        if tok.kind == "ident":
            self.next()
            if tok.text in ("True", "False"):
                return tok.text == "True"
            table = {"ScalarType": SCALAR_TYPES, "Layout": LAYOUTS,
                     "MemoryFormat": MEMORY_FORMATS}.get(kind, {})
            if tok.text in table:
                return table[tok.text]
            raise self.error_at("invalid numeric default value:", self.cur, leading_newline=True)
        negative = self.accept("-") is not None
        if self.cur.kind != "number":
            raise self.expected("number")
        text = self.next().text
        value = float(text) if any(c in text for c in ".eE") else int(text)
        if negative:
            value = -value
        if kind in ("float", "SymFloat") and not isinstance(value, bool):
            value = float(value)
        return value


def _unquote(text):
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _check_defaults_order(schema):
    seen_default = False
    for a in schema.arguments:
        if a.has_default_value():
            seen_default = True
        elif seen_default and not a.kwarg_only:
            raise RuntimeError(
                "!seen_default_arg || arg.kwarg_only() INTERNAL ASSERT FAILED at "
                "\"/__w/pytorch/pytorch/aten/src/ATen/core/function_schema.h\":342, please report "
                "a bug to PyTorch. Non-default positional argument follows default argument. "
                f"Parameter {a.name} in {schema}")


def parse_schema(source):
    """Parse a schema string (``"name(Tensor x) -> Tensor"``, optionally ``ns::`` qualified
    and with an ``.overload``) into a ``FunctionSchema``; PyTorch's RuntimeError if malformed."""
    return _Parser(source).schema()


# -- predicates used by the registration APIs ---------------------------------------------

def has_tensor_arg(schema):
    """Whether any argument is a Tensor, an optional Tensor or a list of them."""
    return any(a.type.is_tensor_like() or a.type.is_tensorlist_like() for a in schema.arguments)


def has_kwarg_only_tensors(schema):
    return any(a.kwarg_only and (a.type.is_tensor_like() or a.type.is_tensorlist_like())
               for a in schema.arguments)


def get_device_arg_index(schema):
    """The index of the ``Device device`` argument, or None."""
    for index, arg in enumerate(schema.arguments):
        if arg.type.name == "Device" and arg.name == "device":
            return index
    return None


def is_functional_schema(schema, *, allow_valid_view=False):
    """Whether the operator mutates nothing, returns something and, if it returns a view,
    is (with ``allow_valid_view``) a view of its one Tensor input as its one Tensor output."""
    if schema.is_mutable:
        return False
    rets = schema.returns
    if any(r.alias_info is not None and not r.alias_info.is_write for r in rets):
        inputs = sum(1 for a in schema.arguments if a.type.name == "Tensor")
        outputs = sum(1 for r in rets if r.type.name == "Tensor")
        return allow_valid_view and inputs == 1 and outputs == 1
    return bool(rets)
