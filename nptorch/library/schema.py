"""Operator schemas: PyTorch's schema strings parsed into ``FunctionSchema`` objects.

``parse_schema("ns::name.overload(Tensor(a!) x, int n=2, *, float k=1.) -> Tensor")`` gives
the name, the overload name, the arguments (type, name, default, keyword-only, alias
annotation) and the returns; ``str()`` prints a schema as PyTorch does, and malformed strings
raise PyTorch's RuntimeErrors (with the caret under the offending token).
"""
import re

__all__ = ["FunctionSchema", "Argument", "Return", "SchemaType", "AliasInfo", "parse_schema"]

NO_DEFAULT = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()

# Type names the parser knows, and the name each prints as.
_BASE_TYPES = {name: name for name in (
    "Tensor", "int", "SymInt", "float", "bool", "str", "Scalar", "ScalarType", "Device",
    "Layout", "MemoryFormat", "Generator", "Any", "Storage", "Stream", "complex", "SymBool",
    "QScheme", "Capsule", "AnyClassType", "AnyEnumType", "Quantizer", "NoneType")}
_BASE_TYPES.update({"DeviceIndex": "int", "ConstQuantizerPtr": "int", "None": "NoneType"})
# The Python type names of the JIT, used in PyTorch's argument errors.
_PYTHON_NAMES = {"SymInt": "int", "Scalar": "number", "ScalarType": "int", "Layout": "int",
                 "MemoryFormat": "int", "SymBool": "bool", "QScheme": "int"}
# How a default is read, by the kind of the declared type: ``None`` only, one constant,
# a string naming a device, or a list (types not named here take no default).
_DEFAULT_KINDS = {"Tensor": "none", "Generator": "none", "Quantizer": "none",
                  "str": "str", "Scalar": "number", "int": "int", "SymInt": "int",
                  "ScalarType": "int", "Layout": "int", "MemoryFormat": "int", "bool": "bool",
                  "float": "float", "complex": "complex", "Device": "device",
                  "Optional": "optional", "List": "list"}
# Enum defaults print as their integer values, as PyTorch's do.
SCALAR_TYPES = {"uint8": 0, "int8": 1, "int16": 2, "int32": 3, "int64": 4, "float16": 5,
                "float32": 6, "float64": 7, "complex32": 8, "complex64": 9, "complex128": 10,
                "bool": 11, "bfloat16": 15}
LAYOUTS = {"strided": 0, "sparse_coo": 1, "sparse_csr": 2, "sparse_csc": 3, "sparse_bsr": 4,
           "sparse_bsc": 5, "_mkldnn": 6, "jagged": 7}
MEMORY_FORMATS = {"contiguous_format": 0, "preserve_format": 1, "channels_last": 2,
                  "channels_last_3d": 3}
# Names a default of any type may use (``Mean`` is the reduction enum).
_NAMED_DEFAULTS = {"float": 6, "complex": 9, "long": 4, "strided": 0, "Mean": 1,
                   "contiguous_format": 0}
# Every dtype name a ScalarType default may use, with its number.
_DTYPE_NAMES = {
    **SCALAR_TYPES, "float": 6, "double": 7, "half": 5, "cfloat": 9, "cdouble": 10,
    "chalf": 8, "int": 3, "long": 4, "short": 2, "qint8": 12, "quint8": 13, "qint32": 14,
    "quint4x2": 16, "quint2x4": 17, "bits1x8": 18, "bits2x4": 19, "bits4x2": 20, "bits8": 21,
    "bits16": 22, "float8_e5m2": 23, "float8_e4m3fn": 24, "float8_e5m2fnuz": 25,
    "float8_e4m3fnuz": 26, "uint16": 27, "uint32": 28, "uint64": 29, "uint1": 30, "bit": 30,
    "uint2": 31, "uint3": 32, "uint4": 33, "uint5": 34, "uint6": 35, "uint7": 36, "int1": 37,
    "int2": 38, "int3": 39, "int4": 40, "int5": 41, "int6": 42, "int7": 43,
    "float8_e8m0fnu": 44, "float4_e2m1fn_x2": 45}
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")

_UNKNOWN_TYPE = ("unknown type specifier. Common valid schema types include Tensor, SymInt, "
                 "int, float, bool, Scalar; for a full list, please see "
                 "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/README.md"
                 "#func ")


def _internal_assert(condition, location, message):
    return RuntimeError(f"{condition} INTERNAL ASSERT FAILED at \"/__w/pytorch/pytorch/aten/src/"
                        f"ATen/core/{location}, please report a bug to PyTorch. {message}")


class AliasInfo:
    """An alias annotation such as ``(a!)``: the alias sets before and after the call,
    whether the value is written, and (for a list) the annotation of its elements."""

    def __init__(self, before=(), after=(), is_write=False, contained=()):
        # sets print in reverse order of appearance, as PyTorch's do
        self._before = list(dict.fromkeys(reversed(before)))
        self._after = list(dict.fromkeys(reversed(after)))
        self.is_write = is_write
        self.contained = list(contained)

    @property
    def before_set(self):
        return frozenset(self._before)

    @property
    def after_set(self):
        return frozenset(self._after)

    def __str__(self):
        text = "|".join(self._before) + ("!" if self.is_write else "")
        if self.before_set != self.after_set:
            text += " -> " + "|".join(self._after)
        return f"({text})"


class SchemaType:
    """A schema type: a base type (``name``), ``Optional``/``List`` of ``elem`` (a list may
    have a fixed ``size``) or a ``Tuple`` of ``elems``, with the alias annotation written
    right after it (``alias``)."""

    __slots__ = ("name", "elem", "size", "elems", "alias")

    def __init__(self, name, elem=None, size=None, elems=None, alias=None):
        self.name, self.elem, self.size, self.elems, self.alias = name, elem, size, elems, alias

    def __str__(self):
        """The type without alias annotations or list sizes (``Tensor?[]``)."""
        if self.name == "Optional":
            return f"{self.elem}?"
        if self.name == "List":
            return f"{self.elem}[]"
        if self.name == "Tuple":
            return "(" + ", ".join(str(e) for e in self.elems) + ")"
        return self.name

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

    def alias_info(self):
        """The annotation PyTorch attaches to a value of this type: a list's own annotation
        (or an empty one) holding its elements' annotation."""
        if self.name == "Optional":
            return self.elem.alias_info()
        if self.name != "List":
            return self.alias
        inner = self.elem.alias_info()
        if inner is None:
            return self.alias
        own = self.alias
        container = AliasInfo(is_write=inner.is_write) if own is None else AliasInfo(
            own._before[::-1], own._after[::-1], own.is_write, own.contained)
        container.contained.append(inner)
        return container


def _annotated_type_str(typ, alias):
    """A declared type as PyTorch prints it: the annotation of a list's elements before its
    brackets, the value's own annotation before a trailing ``?``."""
    is_optional = typ.name == "Optional"
    inner = typ.elem if is_optional else typ
    if inner.name == "List":
        text = str(inner.elem)
        if alias is not None and alias.contained:
            text += str(alias.contained[0])
        text += f"[{'' if inner.size is None else inner.size}]"
    else:
        text = str(inner)
    if alias is not None and alias._before:
        text += str(alias)
    return text + ("?" if is_optional else "")


class Argument:
    """One argument of a schema."""

    def __init__(self, name, type, default=NO_DEFAULT, kwarg_only=False):
        self.name, self.type, self.kwarg_only = name, type, kwarg_only
        self.default_value = default
        self.alias_info = type.alias_info()

    def has_default_value(self):
        return self.default_value is not NO_DEFAULT

    def __str__(self):
        text = f"{_annotated_type_str(self.type, self.alias_info)} {self.name}"
        if not self.has_default_value():
            return text
        return f"{text}={_default_str(self.type, self.default_value)}"


class Return:
    """One return of a schema (``name`` is "" when it has none)."""

    def __init__(self, type, name=""):
        self.type, self.name = type, name
        self.alias_info = type.alias_info()

    def __str__(self):
        text = _annotated_type_str(self.type, self.alias_info)
        return f"{text} {self.name}" if self.name else text


class FunctionSchema:
    """A parsed schema: ``name`` (``"ns::op"``, or ``"op"`` without namespace),
    ``overload_name`` ("" for the default overload), ``arguments`` and ``returns``;
    ``is_vararg``/``is_varret`` when the arguments/returns end in ``...``."""

    def __init__(self, name, overload_name, arguments, returns, is_vararg=False,
                 is_varret=False):
        self.name, self.overload_name = name, overload_name
        self.arguments, self.returns = arguments, returns
        self.is_vararg, self.is_varret = is_vararg, is_varret

    def with_namespace(self, namespace):
        """The same schema with the name qualified by ``namespace``."""
        name = self.name if "::" in self.name else f"{namespace}::{self.name}"
        return FunctionSchema(name, self.overload_name, self.arguments, self.returns,
                              self.is_vararg, self.is_varret)

    @property
    def is_mutable(self):
        return any(a.alias_info is not None and a.alias_info.is_write for a in self.arguments)

    def _is_view_op(self):
        """Whether an argument has a read-only alias annotation."""
        return any(a.alias_info is not None and not a.alias_info.is_write
                   for a in self.arguments)

    def __str__(self):
        parts, star = [], False
        for a in self.arguments:
            if a.kwarg_only and not star:
                parts.append("*")
                star = True
            parts.append(str(a))
        if self.is_vararg:
            parts.append("...")
        name = self.name + (f".{self.overload_name}" if self.overload_name else "")
        return f"{name}({', '.join(parts)}) -> {self._returns_str()}"

    __repr__ = __str__

    def _returns_str(self):
        returns = [str(r) for r in self.returns] + (["..."] if self.is_varret else [])
        # one return prints bare, unless it is an unnamed tuple (printed "((...))")
        if (len(self.returns) == 1 and not self.is_varret
                and (self.returns[0].name or self.returns[0].type.name != "Tuple")):
            return returns[0]
        if not self.returns and self.is_varret:
            return "..."
        return "(" + ", ".join(returns) + ")"


# -- default values ------------------------------------------------------------------------

def _format_number(value):
    """A float as PyTorch prints defaults: ``1.`` for integral values, else 17 digits."""
    if value == int(value) and abs(value) < 2 ** 63:
        return f"{int(value)}."
    return "%.17g" % value


def _value_str(value):
    """A default value as PyTorch prints it (strings unquoted)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, complex):
        sign = "+" if value.imag >= 0 else "-"
        return f"{_format_number(value.real)}{sign}{_format_number(abs(value.imag))}j"
    if isinstance(value, list):
        return "[" + ", ".join(_value_str(v) for v in value) + "]"
    return str(value)


_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\a": "\\a", "\b": "\\b", "\f": "\\f",
            "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _quoted(text):
    def escape(c):
        if c in _ESCAPES:
            return _ESCAPES[c]
        return c if c.isprintable() or ord(c) > 127 else "\\%03o" % ord(c)
    return '"' + "".join(escape(c) for c in text) + '"'


def _default_str(typ, value):
    if typ.unwrap_optional().name == "str" and isinstance(value, str):
        return _quoted(value)
    # an int list of equal values prints as the one value, as in native_functions.yaml
    if (typ.name == "List" and typ.elem.name == "int" and len(value) > 1
            and all(v == value[0] for v in value)):
        return str(value[0])
    return _value_str(value)


def _ivalue_tag(value):
    for kind, tag in ((bool, "Bool"), (int, "Int"), (float, "Double"), (str, "String"),
                      (complex, "ComplexDouble")):
        if isinstance(value, kind):
            return tag
    return "None"


def _stoll(text):
    """``std::stoll``: the leading decimal integer (IndexError when out of range)."""
    m = re.match(r"[+-]?\d+", text)
    if m is None:
        raise ValueError("stoll")
    value = int(m.group())
    if not -2 ** 63 <= value < 2 ** 63:
        raise IndexError("stoll")
    return value


def _stod(text):
    """``std::stod``: the leading decimal or hexadecimal float (IndexError when it
    overflows or underflows)."""
    m = re.match(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?",
                 text)
    if m is not None:
        value = float.fromhex(m.group())
        mantissa = re.split("[pP]", m.group())[0].lower().replace("0x", "", 1)
    else:
        m = re.match(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text)
        if m is None:
            raise ValueError("stod")
        value = float(m.group())
        mantissa = re.split("[eE]", m.group())[0]
    underflow = value == 0 and re.search(r"[1-9a-f]", mantissa) is not None
    if abs(value) == float("inf") or underflow or 0 < abs(value) < 2.2250738585072014e-308:
        raise IndexError("stod")
    return value


def _number(text, kind):
    """A numeric default as PyTorch reads it: complex with ``j`` (or for complex types),
    float with ``.``/``e`` (or for float types), else integer."""
    if kind == "complex" or "j" in text:
        return complex(0, _stod(text[:-1]))
    if kind == "float" or "." in text or "e" in text:
        return _stod(text)
    return _stoll(text)


def _to_list(kind, values):
    """The values of a list default, which must all be of the list's element kind."""
    checks = {"int": (lambda v: type(v) is int, 'ivalue.h":663', "expected int"),
              "float": (lambda v: type(v) is float, 'ivalue.h":544', "expected double"),
              "bool": (lambda v: type(v) is bool, 'ivalue.h":710', "expected bool")}
    for v in values:
        if kind == "complex" and not isinstance(v, complex):
            raise _internal_assert("isComplexDouble()", 'ivalue_inl.h":159',
                                   f"Expected ComplexDouble but got {_ivalue_tag(v)}")
        if kind in checks and not checks[kind][0](v):
            raise _internal_assert("0", checks[kind][1], checks[kind][2])
    return list(values)


def _parse_string_literal(text, error):
    """The value of a string literal token; ``error(message)`` reports a bad escape."""
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body, out, i = text[quote:-quote], [], 0
    simple = {"\\": "\\", "'": "'", '"': '"', "\n": "\n", "a": "\a", "b": "\b", "f": "\f",
              "n": "\n", "v": "\v", "t": "\t"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            raise error("unsupported hex specifier")
        elif e in "uU":
            raise error("unsupported unicode specifier")
        elif re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise error(" ill formed octal specifier")
    return "".join(out)


# -- lexing --------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<arrow>->)
  | (?P<dots>\.\.\.)
  | (?P<number>(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?
               |(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)j?)
  | (?P<string_literal>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''
                      |"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)
# words the lexer reads as tokens of their own
_KEYWORDS = {"None": "None", "True": "True", "False": "False"}


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
        if kind == "punct":
            kind = text
        elif kind == "ident":
            kind = _KEYWORDS.get(text, kind)
        tokens.append(_Token(kind, text, m.start(), m.end()))
    tokens.append(_Token("eof", "", len(source), len(source)))
    return tokens


class _Parser:
    """PyTorch's schema grammar (``function_schema_parser.cpp``), with its messages."""

    def __init__(self, source):
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0
        self.next_alias_id = 0

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

    def error_at(self, message, tok):
        """PyTorch's ErrorReport: ``message``, then the source with ``tok`` underlined."""
        return self._report(f"\n{message}:", tok)

    def _report(self, head, tok):
        text = head + "\n" + self.source
        if tok.kind != "eof":
            width = max(1, tok.end - tok.start)
            text += "\n" + " " * tok.start + "~" * width + " <--- HERE\n"
        return RuntimeError(text)

    def expected(self, what):
        return self._report(f"expected {what} but found '{self.cur.kind}' here:", self.cur)

    def expect(self, kind):
        if self.cur.kind != kind:
            raise self.expected(kind)
        return self.next()

    def accept(self, kind):
        if self.cur.kind == kind:
            return self.next()
        return None

    def comma_list(self, item, close=")"):
        """Items separated by commas up to ``close`` (after an opening token)."""
        if self.cur.kind != close:
            item()
            while self.accept(","):
                item()
        self.expect(close)

    # -- grammar ---------------------------------------------------------------------------
    def schema(self):
        name = self.expect("ident").text
        if self.accept(":"):
            self.expect(":")
            name += "::" + self.expect("ident").text
        overload = ""
        if self.accept("."):
            overload = self.expect("ident").text
        if overload == "default" or overload.startswith("__"):
            raise RuntimeError(f"{overload} is not a legal overload name for aten operators")
        if self.cur.kind != "(":
            self.expect("eof")
            raise RuntimeError("Tried to parse a function schema but only the operator name was "
                               "given")
        arguments, is_vararg = self.arguments()
        self.expect("arrow")
        returns, is_varret = self.returns()
        self.expect("eof")
        schema = FunctionSchema(name, overload, arguments, returns, is_vararg, is_varret)
        _check_defaults_order(schema)
        return schema

    def arguments(self):
        self.expect("(")
        arguments, state = [], {"kwarg_only": False, "vararg": False}

        def item():
            if state["vararg"]:
                raise self.error_at("... must be the last element of the argument list",
                                    self.cur)
            if self.accept("*"):
                state["kwarg_only"] = True
            elif self.accept("dots"):
                state["vararg"] = True
            else:
                arguments.append(self.argument(state["kwarg_only"]))

        self.comma_list(item)
        if state["vararg"] and any(a.has_default_value() for a in arguments):
            raise self.error_at("schemas with vararg (...) can't have default value args",
                                self.cur)
        return arguments, state["vararg"]

    def returns(self):
        if self.accept("dots"):
            return [], True
        if self.cur.kind != "(":
            return [self.return_()], False
        self.next()
        returns, state = [], {"varret": False}

        def item():
            if state["varret"]:
                raise self.error_at("... must be the last element of the return list", self.cur)
            if self.accept("dots"):
                state["varret"] = True
            else:
                returns.append(self.return_())

        self.comma_list(item)
        return returns, state["varret"]

    def argument(self, kwarg_only):
        typ = self.sized_type()
        name = self.expect("ident").text
        if not self.accept("="):
            return Argument(name, typ, kwarg_only=kwarg_only)
        return Argument(name, typ, self.default(typ), kwarg_only)

    def return_(self):
        typ = self.sized_type()
        name = self.next().text if self.cur.kind == "ident" else ""
        return Return(typ, name)

    def sized_type(self):
        """A type, then (arguments and returns only) ``[N]``, an annotation and ``?``."""
        typ = self.type()
        if self.accept("["):
            size = _stoll(self.expect("number").text)
            self.expect("]")
            typ = SchemaType("List", elem=typ, size=size, alias=self.alias())
            if self.accept("?"):
                typ = SchemaType("Optional", elem=typ)
        return typ

    def type(self):
        if self.accept("("):
            elems = []
            self.comma_list(lambda: elems.append(self.type()))
            typ = SchemaType("Tuple", elems=elems)
        else:
            tok = self.expect("ident") if self.cur.kind != "None" else self.next()
            if tok.text not in _BASE_TYPES:
                raise self.error_at(_UNKNOWN_TYPE, tok)
            typ = SchemaType(_BASE_TYPES[tok.text], alias=self.alias())
        while True:
            if self.cur.kind == "[" and self.peek().kind == "]":
                self.next(), self.next()
                typ = SchemaType("List", elem=typ, alias=self.alias())
            elif self.accept("?"):
                typ = SchemaType("Optional", elem=typ)
            else:
                return typ

    def alias(self):
        if self.accept("!"):
            alias = AliasInfo([f"${self.next_alias_id}"], (), is_write=True)
            self.next_alias_id += 1
            return alias
        if not self.accept("("):
            return None
        before = self.alias_sets()
        is_write = self.accept("!") is not None
        after = self.alias_sets() if self.accept("arrow") else before
        self.expect(")")
        return AliasInfo(before, after, is_write)

    def alias_sets(self):
        """``a|b|*``: names after a wildcard are not read."""
        sets = []
        while True:
            if self.accept("*"):
                sets.append("*")
            elif "*" not in sets:
                sets.append(self.expect("ident").text)
            if not self.accept("|"):
                return sets

    def default(self, typ):
        kind = _DEFAULT_KINDS.get(typ.name)
        if kind == "none":
            self.expect("None")
            return None
        if kind == "device":
            text = _parse_string_literal(self.expect("string_literal").text,
                                         lambda m: self.error_at(m, self.tokens[self.pos - 1]))
            if text.split(":")[0] not in _DEVICE_TYPES:
                raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at "
                                   f"start of device string: {text}")
            return text
        if kind == "list":
            start, elem = self.cur, typ.elem
            elem_kind = _DEFAULT_KINDS.get(elem.name)
            if self.cur.kind == "ident":
                self.expect("None")
            if typ.size is not None and self.cur.kind != "[":
                values = [self.constant(elem, elem_kind)] * typ.size
            else:
                start = self.expect("[")
                values = []
                self.comma_list(lambda: values.append(self.constant(elem, elem_kind)), "]")
            if elem_kind not in ("int", "float", "bool", "complex"):
                raise self.error_at("lists are only supported for float, int and complex types",
                                    start)
            return _to_list(elem_kind, values)
        if kind is None:
            raise self.error_at("unexpected type, file a bug report", self.cur)
        return self.constant(typ, kind)

    def constant(self, typ, kind):
        """One default value; ``kind`` says how a number is read."""
        tok = self.next()
        if tok.kind in ("True", "False"):
            return tok.kind == "True"
        if tok.kind == "None":
            return None
        if tok.kind == "string_literal":
            return _parse_string_literal(tok.text, lambda m: self.error_at(m, tok))
        if tok.kind == "ident":
            if tok.text in _NAMED_DEFAULTS:
                return _NAMED_DEFAULTS[tok.text]
            if typ.unwrap_optional().name == "ScalarType" and tok.text in _DTYPE_NAMES:
                return _DTYPE_NAMES[tok.text]
            raise self.error_at("invalid numeric default value", self.cur)
        self.pos -= 1
        sign = "-" if self.accept("-") else ""
        return _number(sign + self.expect("number").text, kind)


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
