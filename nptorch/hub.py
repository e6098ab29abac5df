"""``nptorch.hub``: download checkpoints and load entrypoints from GitHub repos, as ``torch.hub``.

The cache lives where PyTorch keeps its own (``$TORCH_HOME/hub``, ``$TORCH_HOME`` defaulting to
``$XDG_CACHE_HOME/torch`` and that to ``~/.cache/torch``), so both libraries share one cache.

``load_state_dict_from_url`` reads checkpoints with :func:`nptorch.load`, which never executes
code from the file. ``load`` / ``list`` / ``help`` import a repository's ``hubconf.py``, which
runs that repository's code: that is their purpose, and ``trust_repo`` guards it for GitHub repos.
"""
import contextlib
import errno
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load",
           "load_state_dict_from_url", "set_dir"]


class _SilentProgress:
    """Stands in for tqdm when it is not installed: the download runs without a progress bar."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n):
        pass


try:
    from tqdm import tqdm
except ImportError:
    tqdm = _SilentProgress

# matches bfd8deac from resnet18-bfd8deac.pth
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_PATH_SEP_PATTERN = re.compile(r"[/\\]")

_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
VAR_DEPENDENCY = "dependencies"
MODULE_HUBCONF = "hubconf.py"
READ_DATA_CHUNK = 128 * 1024
_hub_dir = None


# -- cache directory -----------------------------------------------------------------------------
def _get_torch_home():
    """``$TORCH_HOME``, defaulting to ``$XDG_CACHE_HOME/torch`` (``~/.cache/torch``)."""
    default = os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME, default))


def get_dir():
    """The hub cache directory: the one given to :func:`set_dir`, else ``$TORCH_HOME/hub``."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Set the hub cache directory (``~`` is expanded)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


# -- files and archives --------------------------------------------------------------------------
def _remove_if_exists(path):
    """Delete a file or a whole directory tree, if there is one at ``path``."""
    if os.path.isfile(path):
        os.remove(path)
    elif os.path.exists(path):
        shutil.rmtree(path)


def _check_member_path(name, extract_to):
    """Raise ValueError for an archive entry that would land outside ``extract_to``."""
    filename = os.path.normpath(name)
    if filename.startswith(("/", "\\")) or (
            len(filename) >= 2 and filename[1] == ":" and filename[0].isalpha()):
        raise ValueError(f"Archive entry has absolute path: {name}")
    if ".." in _PATH_SEP_PATTERN.split(filename):
        raise ValueError(f"Archive entry contains directory traversal: {name}")
    if not (extract_to / filename).resolve(strict=False).is_relative_to(extract_to):
        raise ValueError(f"Archive entry escapes target directory: {name}")


def _safe_extract_zip(zip_file, extract_to):
    """Extract every entry of ``zip_file`` under ``extract_to``, refusing any that escapes it."""
    extract_to = Path(extract_to).resolve(strict=False)
    for member in zip_file.infolist():
        _check_member_path(member.filename, extract_to)
        zip_file.extract(member, extract_to)


def _open_temporary_next_to(dst):
    """A new ``<dst>.<random>.partial`` file opened for binary writing."""
    for _ in range(tempfile.TMP_MAX):
        try:
            return open(f"{dst}.{uuid.uuid4().hex}.partial", "xb")
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "No usable temporary file name found")


def _content_length(response):
    """The size the server announces for ``response``, or None."""
    lengths = response.info().get_all("Content-Length")
    return int(lengths[0]) if lengths else None


def _copy_response(response, f, progress):
    """Copy ``response`` into ``f``; return the SHA-256 hex digest of what was copied."""
    sha256 = hashlib.sha256()
    with tqdm(total=_content_length(response), disable=not progress, unit="B", unit_scale=True,
              unit_divisor=1024) as pbar:
        while buffer := response.read(READ_DATA_CHUNK):
            f.write(buffer)
            sha256.update(buffer)
            pbar.update(len(buffer))
    return sha256.hexdigest()


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download ``url`` to the path ``dst``.

    The data goes to a temporary file in ``dst``'s folder, which is moved to ``dst`` only once
    complete (and, when ``hash_prefix`` is given, once its SHA-256 is found to start with it), so
    a failed download never replaces a good file. ``progress`` shows a bar on stderr (with tqdm).
    """
    dst = os.path.expanduser(dst)
    f = _open_temporary_next_to(dst)
    try:
        with urlopen(Request(url, headers={"User-Agent": "nptorch.hub"})) as response:
            digest = _copy_response(response, f, progress)
        f.close()
        if hash_prefix is not None and digest[:len(hash_prefix)] != hash_prefix:
            raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


# -- checkpoints ---------------------------------------------------------------------------------
def _is_legacy_zip_format(filename):
    """Whether ``filename`` is a zip holding a single file (a user-zipped checkpoint)."""
    if not zipfile.is_zipfile(filename):
        return False
    with zipfile.ZipFile(filename) as zf:
        members = zf.infolist()
    return len(members) == 1 and not members[0].is_dir()


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    """Extract the single checkpoint of the zip ``filename`` into ``model_dir`` and load it."""
    from .serialization import load as _load
    warnings.warn("Falling back to the old format < 1.6. This support will be deprecated in "
                  "favor of default zipfile format introduced in 1.6. Please redo torch.save() "
                  "to save it in the new zipfile format.", FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as f:
        _safe_extract_zip(f, model_dir)
        extracted_file = os.path.join(model_dir, f.infolist()[0].filename)
    return _load(extracted_file, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """Load the checkpoint at ``url``, downloading it into ``model_dir`` unless already there.

    ``model_dir`` defaults to ``<hub_dir>/checkpoints``; the file keeps the URL's file name, or
    ``file_name``. With ``check_hash``, the hex digits after the last ``-`` of a name like
    ``resnet18-5c106cde.pth`` must begin the file's SHA-256. A zip holding a single file is
    extracted first. Loading goes through :func:`nptorch.load`.
    """
    from .serialization import load as _load
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead",
                      stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        match = HASH_REGEX.search(filename) if check_hash else None
        hash_prefix = match.group(1) if match else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return _load(cached_file, map_location=map_location, weights_only=weights_only)


# -- GitHub repositories -------------------------------------------------------------------------
def _git_archive_link(repo_owner, repo_name, ref):
    """The URL of GitHub's zip archive of the repo at ``ref``."""
    return f"https://github.com/{repo_owner}/{repo_name}/zipball/{ref}"


def _default_ref(repo_owner, repo_name):
    """``main`` if the repo has that branch, else ``master``; offline, the one found in cache."""
    try:
        with urlopen(f"https://github.com/{repo_owner}/{repo_name}/tree/main/"):
            return "main"
    except HTTPError as e:
        if e.code == 404:
            return "master"
        raise
    except URLError as e:
        for possible_ref in ("main", "master"):
            if os.path.exists(f"{get_dir()}/{repo_owner}_{repo_name}_{possible_ref}"):
                return possible_ref
        raise RuntimeError("It looks like there is no internet connection and the "
                           f"repo could not be found in the cache ({get_dir()})") from e


def _parse_repo_info(github):
    """Split ``owner/name[:ref]`` into ``(owner, name, ref)``."""
    repo_info, ref = github.split(":") if ":" in github else (github, None)
    repo_owner, repo_name = repo_info.split("/")
    if ref is None:
        ref = _default_ref(repo_owner, repo_name)
    return repo_owner, repo_name, ref


def _read_url(url):
    """The body of ``url`` (a str or a Request), decoded as text."""
    with urlopen(url) as r:
        return r.read().decode(r.headers.get_content_charset("utf-8"))


def _read_json_page(url, headers):
    """GET a GitHub API page; a token that is refused is dropped and the request retried."""
    try:
        return json.loads(_read_url(Request(url, headers=headers)))
    except HTTPError:
        if "Authorization" not in headers:
            raise
        del headers["Authorization"]
        return json.loads(_read_url(Request(url, headers=headers)))


def _validate_not_a_forked_repo(repo_owner, repo_name, ref):
    """Raise ValueError unless ``ref`` is a branch, tag or commit prefix of the repo itself."""
    headers = {"Accept": "application/vnd.github.v3+json"}
    token = os.environ.get(ENV_GITHUB_TOKEN)
    if token is not None:
        headers["Authorization"] = f"token {token}"
    for kind in ("branches", "tags"):
        page = 0
        while response := _read_json_page(
                f"https://api.github.com/repos/{repo_owner}/{repo_name}/{kind}"
                f"?per_page=100&page={page + 1}", headers):
            page += 1
            if any(br["name"] == ref or br["commit"]["sha"].startswith(ref) for br in response):
                return
    raise ValueError(f"Cannot find {ref} in https://github.com/{repo_owner}/{repo_name}. "
                     "If it's a commit from a forked repo, please call hub.load() with forked "
                     "repo directly.")


def _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo):
    """Ask about an untrusted repo (always, with ``trust_repo=False``) and record it as trusted.

    A repo is trusted when it is in ``<hub_dir>/trusted_list``, belongs to a known owner, or was
    already downloaded into the hub dir.
    """
    filepath = os.path.join(get_dir(), "trusted_list")
    Path(filepath).touch()
    with open(filepath) as file:
        trusted_repos = tuple(line.strip() for line in file)
    downloaded_repos = next(os.walk(get_dir()))[1]
    owner_name = f"{repo_owner}_{repo_name}"
    is_trusted = (owner_name in trusted_repos or owner_name_branch in downloaded_repos
                  or repo_owner in _TRUSTED_REPO_OWNERS)
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        response = input(
            f"The repository {owner_name} does not belong to the list of trusted repositories "
            "and as such cannot be downloaded. Do you trust this repository and wish to add it "
            "to the trusted list of repositories (y/N)?").lower()
        if response in ("y", "yes"):
            if is_trusted:
                print("The repository is already trusted.")
        elif response in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        else:
            raise ValueError(f"Unrecognized response {response}.")
    if not is_trusted:
        with open(filepath, "a") as file:
            file.write(owner_name + "\n")


def _download_repo_zip(repo_owner, repo_name, ref, cached_file):
    """Download the repo's zipball; a ref that is both a tag and a branch means the branch."""
    url = _git_archive_link(repo_owner, repo_name, ref)
    sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
    try:
        download_url_to_file(url, cached_file, progress=False)
    except HTTPError as err:
        if err.code != 300:
            raise
        warnings.warn(
            f"The ref {ref} is ambiguous. Perhaps it is both a tag and a branch in the repo? "
            "Torchhub will now assume that it's a branch. You can disambiguate tags and branches "
            "by explicitly passing refs/heads/branch_name or refs/tags/tag_name as the ref. "
            "That might require using skip_validation=True.", stacklevel=4)
        url = _git_archive_link(repo_owner, repo_name, f"refs/heads/{ref}")
        download_url_to_file(url, cached_file, progress=False)


def _extract_repo(cached_file, hub_dir, repo_dir):
    """Unzip a zipball into ``hub_dir`` and rename its top folder to ``repo_dir``."""
    with zipfile.ZipFile(cached_file) as zf:
        top_folder = zf.infolist()[0].filename.split("/")[0]
        extracted_repo = os.path.join(hub_dir, top_folder)
        _remove_if_exists(extracted_repo)
        _safe_extract_zip(zf, hub_dir)
    _remove_if_exists(repo_dir)
    shutil.move(extracted_repo, repo_dir)


def _get_cache_or_reload(github, force_reload, trust_repo, verbose=True, skip_validation=False):
    """The local folder of ``github`` (``owner/name[:ref]``), downloaded unless cached."""
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    repo_owner, repo_name, ref = _parse_repo_info(github)
    # Branch names may hold '/', which would read as a path separator in a folder name.
    normalized_br = ref.replace("/", "_")
    owner_name_branch = f"{repo_owner}_{repo_name}_{normalized_br}"
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    if not skip_validation:
        _validate_not_a_forked_repo(repo_owner, repo_name, ref)
    cached_file = os.path.join(hub_dir, normalized_br + ".zip")
    _remove_if_exists(cached_file)
    _download_repo_zip(repo_owner, repo_name, ref, cached_file)
    _extract_repo(cached_file, hub_dir, repo_dir)
    _remove_if_exists(cached_file)
    return repo_dir


# -- hubconf.py ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _add_to_sys_path(path):
    """Make modules in ``path`` importable for the duration of the block."""
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_hubconf(repo_dir):
    """Import ``repo_dir/hubconf.py`` (with ``repo_dir`` importable while it runs)."""
    path = os.path.join(repo_dir, MODULE_HUBCONF)
    spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, path)
    if spec is None:
        raise AssertionError(f"failed to load spec from {path}")
    module = importlib.util.module_from_spec(spec)
    with _add_to_sys_path(repo_dir):
        spec.loader.exec_module(module)
    return module


def _load_attr_from_module(module, name):
    """``module.name``, or None when the module has no such attribute."""
    return getattr(module, name) if name in dir(module) else None


def _check_dependencies(module):
    """Raise RuntimeError naming the packages of ``dependencies`` that are not installed."""
    dependencies = _load_attr_from_module(module, VAR_DEPENDENCY)
    if dependencies is not None:
        missing = [pkg for pkg in dependencies if importlib.util.find_spec(pkg) is None]
        if missing:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")


def _load_entry_from_hubconf(module, model):
    """The callable named ``model`` in a hubconf module, once its dependencies are checked."""
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    _check_dependencies(module)
    func = _load_attr_from_module(module, model)
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def _load_local(hubconf_dir, model, *args, **kwargs):
    """Call entrypoint ``model`` of ``hubconf_dir/hubconf.py`` with the given arguments."""
    module = _import_hubconf(hubconf_dir)
    with _add_to_sys_path(hubconf_dir):
        return _load_entry_from_hubconf(module, model)(*args, **kwargs)


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True):
    """The names of the entrypoints (public callables) of the repo's ``hubconf.py``."""
    module = _import_hubconf(
        _get_cache_or_reload(github, force_reload, trust_repo, verbose, skip_validation))
    return [name for name in dir(module)
            if callable(getattr(module, name)) and not name.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check"):
    """The docstring of entrypoint ``model`` of the repo's ``hubconf.py``."""
    module = _import_hubconf(
        _get_cache_or_reload(github, force_reload, trust_repo, True, skip_validation))
    return _load_entry_from_hubconf(module, model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    """Call entrypoint ``model`` of a repo's ``hubconf.py`` with ``*args`` / ``**kwargs``.

    With ``source='github'``, ``repo_or_dir`` is ``owner/name[:ref]``, downloaded into the hub
    dir unless cached (``force_reload`` downloads again); with ``source='local'`` it is a folder.
    """
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github":
        repo_or_dir = _get_cache_or_reload(repo_or_dir, force_reload, trust_repo, verbose,
                                           skip_validation)
    return _load_local(repo_or_dir, model, *args, **kwargs)
