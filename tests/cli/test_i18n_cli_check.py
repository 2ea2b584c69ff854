def test_parley_check_says_the_shipped_translations_are_compiled(run_parley):
    result = run_parley("check")

    assert "ok: translations compiled for en, de, es" in result.stdout.splitlines()
