import os1


def test_public_api() -> None:
    assert set(os1.__all__) == {"Companion", "Message", "Settings", "SQLiteMemory", "load_settings",
                                "Os1Error", "__version__"}
    for name in os1.__all__:
        assert getattr(os1, name) is not None
