"""`parley check` says whether semantic search can run; `parley reindex` rebuilds the help-center index with progress."""
import os

import pytest


@pytest.fixture
def migrated(run_parley):
    assert run_parley("migrate", "--verbosity", "0").returncode == 0


@pytest.fixture
def without_the_model(tmp_path):
    """A PYTHONPATH on which `import wordllama` fails, as on an install without the package."""
    stub = tmp_path / "no-model" / "wordllama"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text('raise ImportError("No module named \'wordllama\'", name="wordllama")\n')
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(stub.parent), os.environ.get("PYTHONPATH", "")]))}


def test_check_says_the_embedding_model_loaded(migrated, run_parley):
    result = run_parley("check")

    assert "ok: semantic search model loaded from the wordllama package" in result.stdout


def test_without_the_model_check_says_search_runs_on_full_text_and_how_to_fix_it(migrated, run_parley, without_the_model):
    result = run_parley("check", extra_env=without_the_model)

    assert result.returncode == 1
    assert "problem: semantic help-center search is off: the package wordllama is not installed" in result.stdout
    assert "fix: pip install wordllama" in result.stdout


def test_reindex_works_without_the_model(migrated, run_parley, without_the_model):
    result = run_parley("reindex", extra_env=without_the_model)

    assert result.returncode == 0, result.stderr
    assert "indexing full text only" in result.stdout
    assert "Indexed 0 article translations." in result.stdout
