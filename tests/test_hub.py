"""nptorch.hub: cache directory, downloads, checkpoints from URLs, and hubconf.py entrypoints.

Downloads use file:// URLs and GitHub downloads are replaced by copying a zip built here, so
nothing touches the network; every hub dir lives under tmp_path.
"""
import builtins
import hashlib
import os
import pickle
import sys
import zipfile
from urllib.error import HTTPError, URLError

import pytest

import nptorch
import nptorch.hub as hub
from nptorch import nn
from nptorch.serialization import LoadError

HUBCONF = '''
"""A small hub for the tests."""
dependencies = ["json"]

import helper_module

NOT_CALLABLE = 3


def ones(n, scale=1.0):
    """A tensor of n times scale."""
    return helper_module.full(n, scale)


def _private():
    return "hidden"


class Maker:
    pass
'''

HELPER = '''
import nptorch


def full(n, value):
    return nptorch.full((n,), value)
'''


@pytest.fixture(autouse=True)
def hub_dir(tmp_path, monkeypatch):
    """A fresh hub dir under tmp_path, with no deprecated environment variables set."""
    for name in ("TORCH_HUB", "TORCH_MODEL_ZOO", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hub, "_hub_dir", None)
    path = tmp_path / "hub"
    hub.set_dir(path)
    return path


@pytest.fixture(autouse=True)
def _forget_helper_module():
    """hubconf.py imports its sibling module by name: drop it so each repo imports its own."""
    yield
    sys.modules.pop("helper_module", None)


def _write_repo(folder, hubconf=HUBCONF):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hubconf.py").write_text(hubconf)
    (folder / "helper_module.py").write_text(HELPER)
    return folder


@pytest.fixture
def local_repo(tmp_path):
    return _write_repo(tmp_path / "repo")


def _file_url(path):
    return path.resolve().as_uri()


def _state_dict():
    model = nn.Linear(3, 2)
    return model.state_dict()


def _assert_same_state(loaded, expected):
    assert list(loaded) == list(expected)
    for key, value in expected.items():
        assert nptorch.equal(loaded[key], value)


def _saved(path, obj):
    nptorch.save(obj, path)
    return path


# -- get_dir / set_dir ---------------------------------------------------------------------------
@pytest.mark.parametrize("env, expected", [
    ({"TORCH_HOME": "/th", "XDG_CACHE_HOME": "/xdg"}, "/th/hub"),
    ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/torch/hub"),
    ({}, "HOME/.cache/torch/hub"),
    ({"TORCH_HOME": "~/th"}, "HOME/th/hub"),
])
def test_get_dir_follows_environment(monkeypatch, tmp_path, env, expected):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("TORCH_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert hub.get_dir() == expected.replace("HOME", str(tmp_path))


def test_set_dir_expands_user_and_accepts_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    hub.set_dir("~/cache")
    assert hub.get_dir() == str(tmp_path / "cache")
    hub.set_dir(tmp_path / "other")
    assert hub.get_dir() == str(tmp_path / "other")
    assert isinstance(hub.get_dir(), str)


def test_torch_hub_variable_is_deprecated(monkeypatch):
    monkeypatch.setenv("TORCH_HUB", "/somewhere")
    with pytest.warns(UserWarning, match="TORCH_HUB is deprecated, please use env TORCH_HOME"):
        hub.get_dir()


def test_get_dir_matches_torch(monkeypatch, tmp_path):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.setenv("HOME", str(tmp_path))
    for env in ({"TORCH_HOME": "~/th"}, {"XDG_CACHE_HOME": "/xdg"}, {}):
        for name in ("TORCH_HOME", "XDG_CACHE_HOME"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert hub.get_dir() == torch.hub.get_dir()
    for d in ("~/x", tmp_path / "y"):
        hub.set_dir(d)
        torch.hub.set_dir(d)
        assert hub.get_dir() == torch.hub.get_dir()


def test_public_names_match_torch():
    torch = pytest.importorskip("torch")
    assert sorted(hub.__all__) == sorted(torch.hub.__all__)
    assert hub.HASH_REGEX.pattern == torch.hub.HASH_REGEX.pattern


# -- download_url_to_file ------------------------------------------------------------------------
def test_download_copies_the_file(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc" * 1000)
    dst = tmp_path / "out" / "dst.bin"
    dst.parent.mkdir()
    hub.download_url_to_file(_file_url(src), str(dst), progress=False)
    assert dst.read_bytes() == src.read_bytes()
    assert os.listdir(dst.parent) == ["dst.bin"]


def test_download_checks_the_hash_prefix(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"payload")
    digest = hashlib.sha256(b"payload").hexdigest()
    dst = tmp_path / "dst.bin"
    hub.download_url_to_file(_file_url(src), dst, hash_prefix=digest[:10], progress=False)
    assert dst.read_bytes() == b"payload"

    dst.write_bytes(b"previous good file")
    with pytest.raises(RuntimeError) as info:
        hub.download_url_to_file(_file_url(src), dst, hash_prefix="0000", progress=False)
    assert str(info.value) == f'invalid hash value (expected "0000", got "{digest}")'
    assert dst.read_bytes() == b"previous good file"
    assert sorted(os.listdir(tmp_path)) == ["dst.bin", "src.bin"]


def test_download_hash_error_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    src = tmp_path / "src.bin"
    src.write_bytes(b"payload")
    errors = []
    for module in (hub, torch.hub):
        with pytest.raises(RuntimeError) as info:
            module.download_url_to_file(_file_url(src), str(tmp_path / "d"), "ff", False)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_download_failure_leaves_no_partial_file(tmp_path):
    with pytest.raises(URLError):
        hub.download_url_to_file(_file_url(tmp_path / "missing"), tmp_path / "dst",
                                 progress=False)
    assert os.listdir(tmp_path) == []


def test_download_progress_bar(tmp_path, capsys):
    pytest.importorskip("tqdm")
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 4096)
    hub.download_url_to_file(_file_url(src), tmp_path / "a", progress=True)
    assert "4.00k" in capsys.readouterr().err
    hub.download_url_to_file(_file_url(src), tmp_path / "b", progress=False)
    assert capsys.readouterr().err == ""


def test_download_without_tqdm_is_silent(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(hub, "tqdm", hub._SilentProgress)
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 4096)
    hub.download_url_to_file(_file_url(src), tmp_path / "a", progress=True)
    assert (tmp_path / "a").read_bytes() == src.read_bytes()
    assert capsys.readouterr().err == ""


# -- load_state_dict_from_url --------------------------------------------------------------------
def test_state_dict_round_trip_and_cache(tmp_path, hub_dir, capsys):
    expected = _state_dict()
    src = _saved(tmp_path / "linear.pt", expected)
    _assert_same_state(hub.load_state_dict_from_url(_file_url(src), progress=False), expected)
    cached = hub_dir / "checkpoints" / "linear.pt"
    assert cached.exists()
    assert f'Downloading: "{_file_url(src)}" to {cached}' in capsys.readouterr().out

    src.unlink()  # the cached copy is used from now on
    _assert_same_state(hub.load_state_dict_from_url(_file_url(src)), expected)
    assert "Downloading" not in capsys.readouterr().out


def test_state_dict_model_dir_file_name_and_map_location(tmp_path):
    expected = _state_dict()
    src = _saved(tmp_path / "linear.pt", expected)
    model_dir = tmp_path / "models"
    loaded = hub.load_state_dict_from_url(_file_url(src), model_dir=str(model_dir),
                                          file_name="renamed.pt", progress=False,
                                          map_location="cpu", weights_only=True)
    _assert_same_state(loaded, expected)
    assert os.listdir(model_dir) == ["renamed.pt"]
    assert all(t.device.type == "cpu" for t in loaded.values())


def test_state_dict_check_hash(tmp_path, hub_dir):
    expected = _state_dict()
    data = _saved(tmp_path / "tmp.pt", expected).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    good = tmp_path / f"linear-{digest[:8]}.pt"
    good.write_bytes(data)
    _assert_same_state(hub.load_state_dict_from_url(_file_url(good), check_hash=True,
                                                    progress=False), expected)

    bad = tmp_path / "linear-abcdef01.pt"
    bad.write_bytes(data)
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "abcdef01"'):
        hub.load_state_dict_from_url(_file_url(bad), check_hash=True, progress=False)
    assert not (hub_dir / "checkpoints" / bad.name).exists()
    # without check_hash the name is not taken as a hash
    _assert_same_state(hub.load_state_dict_from_url(_file_url(bad), progress=False), expected)


@pytest.mark.parametrize("name", ["resnet18-5c106cde.pth", "a-b-0123abcd.tar.gz", "model.pth",
                                  "model-XYZ.pth", "x-.pt", "noext-abc"])
def test_hash_regex_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = hub.HASH_REGEX.search(name), torch.hub.HASH_REGEX.search(name)
    assert (ours and ours.group(1)) == (theirs and theirs.group(1))


def test_state_dict_hash_mismatch_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    bad = _saved(tmp_path / "linear-abcdef01.pt", _state_dict())
    errors = []
    for module, folder in ((hub, "ours"), (torch.hub, "theirs")):
        with pytest.raises(RuntimeError) as info:
            module.load_state_dict_from_url(_file_url(bad), model_dir=str(tmp_path / folder),
                                            check_hash=True, progress=False)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_state_dict_from_single_file_zip(tmp_path, hub_dir):
    expected = _state_dict()
    inner = _saved(tmp_path / "weights.pt", expected)
    archive = tmp_path / "weights.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(inner, "weights.pt")
    with pytest.warns(FutureWarning, match="Falling back to the old format"):
        loaded = hub.load_state_dict_from_url(_file_url(archive), progress=False)
    _assert_same_state(loaded, expected)
    assert sorted(os.listdir(hub_dir / "checkpoints")) == ["weights.pt", "weights.zip"]


def test_state_dict_zip_cannot_escape_model_dir(tmp_path, hub_dir):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escaped.pt", b"data")
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="directory traversal"):
        hub.load_state_dict_from_url(_file_url(archive), progress=False)
    assert not (hub_dir / "escaped.pt").exists()


class _Exploit:
    """Unpickling this creates a marker file: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


def test_state_dict_never_unpickles(tmp_path):
    marker = tmp_path / "pwned"
    src = tmp_path / "evil.pt"
    src.write_bytes(pickle.dumps({"w": _Exploit(str(marker))}))
    with pytest.raises(LoadError):
        hub.load_state_dict_from_url(_file_url(src), progress=False)
    assert not marker.exists()


# -- load(source='local') ------------------------------------------------------------------------
def test_load_local_calls_the_entrypoint(local_repo):
    path_before = sys.path[:]
    out = hub.load(str(local_repo), "ones", 3, source="local", scale=2.0)
    assert nptorch.equal(out, nptorch.full((3,), 2.0))
    assert sys.path == path_before
    assert hub.load(str(local_repo), "Maker", source="LOCAL").__class__.__name__ == "Maker"


@pytest.mark.parametrize("model", ["missing", "NOT_CALLABLE", "dependencies"])
def test_load_local_rejects_missing_or_non_callable(local_repo, model):
    with pytest.raises(RuntimeError, match=f"^Cannot find callable {model} in hubconf$"):
        hub.load(str(local_repo), model, source="local")


def test_load_local_rejects_non_string_model(local_repo):
    with pytest.raises(ValueError,
                       match="^Invalid input: model should be a string of function name$"):
        hub.load(str(local_repo), 3, source="local")


def test_load_local_checks_dependencies(tmp_path):
    repo = _write_repo(tmp_path / "deps", HUBCONF.replace(
        '["json"]', '["json", "no_such_pkg_1", "no_such_pkg_2"]'))
    with pytest.raises(RuntimeError,
                       match="^Missing dependencies: no_such_pkg_1, no_such_pkg_2$"):
        hub.load(str(repo), "ones", 2, source="local")


def test_load_rejects_unknown_source(local_repo):
    with pytest.raises(ValueError,
                       match='^Unknown source: "svn". Allowed values: "github" \\| "local".$'):
        hub.load(str(local_repo), "ones", source="SVN")


def test_local_errors_match_torch(tmp_path, local_repo):
    torch = pytest.importorskip("torch")
    deps = _write_repo(tmp_path / "deps", HUBCONF.replace('["json"]', '["no_such_pkg_1"]'))
    cases = [(local_repo, "missing", {}), (local_repo, "NOT_CALLABLE", {}),
             (local_repo, 3, {}), (deps, "ones", {}), (local_repo, "ones", {"source": "x"})]
    for repo, model, extra in cases:
        kwargs = {"source": "local", **extra}
        with pytest.raises(Exception) as ours:
            hub.load(str(repo), model, **kwargs)
        with pytest.raises(Exception) as theirs:
            torch.hub.load(str(repo), model, **kwargs)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


# -- source='github' -----------------------------------------------------------------------------
def _zipball(path, top="someone-repo-0123abc", extra=()):
    """A zip laid out as GitHub's zipball: one top folder holding the repository."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{top}/", b"")
        zf.writestr(f"{top}/hubconf.py", HUBCONF)
        zf.writestr(f"{top}/helper_module.py", HELPER)
        for name, data in extra:
            zf.writestr(name, data)
    return path


@pytest.fixture
def fake_github(tmp_path, monkeypatch):
    """Serve a zipball for every download; ``urls`` records what was asked for."""
    zipball = _zipball(tmp_path / "zipball.zip")
    urls = []

    def download(url, dst, hash_prefix=None, progress=True):
        urls.append(url)
        with open(dst, "wb") as f:
            f.write(zipball.read_bytes())

    monkeypatch.setattr(hub, "download_url_to_file", download)
    download.urls = urls
    download.zipball = zipball
    return download


def test_github_load_downloads_extracts_and_caches(fake_github, hub_dir, capsys):
    out = hub.load("someone/repo:v1", "ones", 2, trust_repo=True, skip_validation=True)
    assert nptorch.equal(out, nptorch.ones(2))
    assert fake_github.urls == ["https://github.com/someone/repo/zipball/v1"]
    assert sorted(os.listdir(hub_dir)) == ["someone_repo_v1", "trusted_list"]
    assert (hub_dir / "someone_repo_v1" / "hubconf.py").read_text() == HUBCONF
    assert (hub_dir / "trusted_list").read_text() == "someone_repo\n"
    assert "Downloading" in capsys.readouterr().out

    hub.load("someone/repo:v1", "ones", 2, trust_repo=True, skip_validation=True)
    assert len(fake_github.urls) == 1
    assert f"Using cache found in {hub_dir / 'someone_repo_v1'}" in capsys.readouterr().err
    hub.load("someone/repo:v1", "ones", 2, verbose=False, skip_validation=True)
    assert capsys.readouterr().err == ""

    (hub_dir / "someone_repo_v1" / "stale").write_text("old")
    hub.load("someone/repo:v1", "ones", 2, force_reload=True, skip_validation=True)
    assert len(fake_github.urls) == 2
    assert not (hub_dir / "someone_repo_v1" / "stale").exists()


def test_github_list_and_help(fake_github, hub_dir):
    assert hub.list("someone/repo:feature/x", trust_repo=True, skip_validation=True) == [
        "Maker", "ones"]
    assert (hub_dir / "someone_repo_feature_x").is_dir()
    assert hub.help("someone/repo:feature/x", "ones", skip_validation=True) == (
        "A tensor of n times scale.")
    with pytest.raises(RuntimeError, match="Cannot find callable nope in hubconf"):
        hub.help("someone/repo:feature/x", "nope", skip_validation=True)


def test_github_zip_cannot_escape_hub_dir(fake_github, tmp_path, hub_dir):
    _zipball(fake_github.zipball, extra=[("../outside.py", b"")])
    with pytest.raises(ValueError, match="directory traversal: ../outside.py"):
        hub.load("someone/repo:v1", "ones", 1, trust_repo=True, skip_validation=True)
    assert not (tmp_path / "outside.py").exists()


def test_github_ambiguous_ref_means_the_branch(fake_github, monkeypatch):
    def download(url, dst, hash_prefix=None, progress=True):
        if "refs/heads" not in url:
            raise HTTPError(url, 300, "Multiple Choices", {}, None)
        fake_github(url, dst)

    monkeypatch.setattr(hub, "download_url_to_file", download)
    with pytest.warns(UserWarning, match="The ref v1 is ambiguous"):
        hub.load("someone/repo:v1", "ones", 1, trust_repo=True, skip_validation=True)
    assert fake_github.urls == ["https://github.com/someone/repo/zipball/refs/heads/v1"]


def _answer(monkeypatch, reply):
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return reply

    monkeypatch.setattr(builtins, "input", fake_input)
    return prompts


@pytest.mark.parametrize("reply", ["n", "No", ""])
def test_untrusted_repo_refused(fake_github, monkeypatch, hub_dir, reply):
    prompts = _answer(monkeypatch, reply)
    with pytest.raises(Exception, match="^Untrusted repository.$"):
        hub.load("someone/repo:v1", "ones", 1, skip_validation=True)
    assert prompts[0].startswith("The repository someone_repo does not belong to the list")
    assert fake_github.urls == []
    assert (hub_dir / "trusted_list").read_text() == ""


def test_unrecognized_trust_answer(fake_github, monkeypatch):
    _answer(monkeypatch, "maybe")
    with pytest.raises(ValueError, match="^Unrecognized response maybe.$"):
        hub.list("someone/repo:v1", skip_validation=True)


def test_trusting_at_the_prompt_records_the_repo(fake_github, monkeypatch, hub_dir, capsys):
    prompts = _answer(monkeypatch, "Yes")
    assert hub.list("someone/repo:v1", skip_validation=True) == ["Maker", "ones"]
    assert len(prompts) == 1
    assert (hub_dir / "trusted_list").read_text() == "someone_repo\n"
    hub.list("someone/repo:v2", skip_validation=True)  # trusted now, no prompt
    assert len(prompts) == 1
    hub.list("someone/repo:v2", skip_validation=True, trust_repo=False)  # always asks
    assert len(prompts) == 2
    assert "The repository is already trusted." in capsys.readouterr().out


def test_known_owners_and_downloaded_repos_are_trusted(fake_github, monkeypatch, hub_dir):
    prompts = _answer(monkeypatch, "n")
    hub.list("pytorch/repo:v1", skip_validation=True)
    _write_repo(hub_dir / "other_repo_v1")  # downloaded before the trusted list existed
    hub.list("other/repo:v1", skip_validation=True)
    assert prompts == []
    assert (hub_dir / "trusted_list").read_text() == ""  # trusted already: nothing recorded


def test_default_ref(fake_github, monkeypatch, hub_dir):
    def offline(url):
        raise URLError("no network")

    monkeypatch.setattr(hub, "urlopen", offline)
    hub_dir.mkdir()
    with pytest.raises(RuntimeError, match="no internet connection and the repo could not"):
        hub.list("someone/repo", trust_repo=True, skip_validation=True)
    _write_repo(hub_dir / "someone_repo_master")
    hub.list("someone/repo", trust_repo=True)  # cached: neither validated nor downloaded
    assert fake_github.urls == []

    def not_found(url):
        raise HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(hub, "urlopen", not_found)
    assert hub._parse_repo_info("someone/repo") == ("someone", "repo", "master")
    monkeypatch.setattr(hub, "urlopen", lambda url: open(fake_github.zipball, "rb"))
    assert hub._parse_repo_info("someone/repo") == ("someone", "repo", "main")


def test_validation_against_branches_and_tags(fake_github, monkeypatch):
    pages = {
        "branches?per_page=100&page=1": '[{"name": "main", "commit": {"sha": "aaa111"}}]',
        "tags?per_page=100&page=1": '[{"name": "v1", "commit": {"sha": "bbb222"}}]',
    }
    requested = []

    def read_url(request):
        requested.append(request.full_url)
        return pages.get(request.full_url.rsplit("/", 1)[1], "[]")

    monkeypatch.setattr(hub, "_read_url", read_url)
    hub.load("someone/repo:bbb2", "ones", 1, trust_repo=True)
    assert requested[-1] == "https://api.github.com/repos/someone/repo/tags?per_page=100&page=1"
    with pytest.raises(ValueError, match="^Cannot find fork in https://github.com/someone/repo. "
                                         "If it's a commit from a forked repo"):
        hub.load("someone/repo:fork", "ones", 1, trust_repo=True)
    assert len(fake_github.urls) == 1


def test_github_cache_layout_matches_torch(fake_github, monkeypatch, tmp_path):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_github)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    layouts = []
    for module in (hub, torch.hub):
        folder = tmp_path / module.__name__
        module.set_dir(str(folder))
        entrypoints = module.list("someone/repo:feature/x", trust_repo=True, skip_validation=True)
        layouts.append((entrypoints, sorted(os.listdir(folder)),
                        sorted(os.listdir(folder / "someone_repo_feature_x")),
                        (folder / "trusted_list").read_text()))
    assert layouts[0] == layouts[1]


def test_hub_loads_on_first_use():
    import subprocess
    code = ("import sys, nptorch\n"
            "assert 'nptorch.hub' not in sys.modules\n"
            "assert nptorch.hub.load is sys.modules['nptorch.hub'].load\n"
            "assert 'hub' in dir(nptorch)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
