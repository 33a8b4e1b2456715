import pytest

from bot.settings import SettingsError, load_settings

SECRET = "987:never-show-this"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("BOT_TOP_K", "0", "BOT_TOP_K"),
        ("BOT_API_URL", "ftp://x", "BOT_API_URL"),
        ("BOT_LOG_LEVEL", "LOUD", "BOT_LOG_LEVEL"),
        ("BOT_ALLOWED_CHATS", "12,abc", "BOT_ALLOWED_CHATS"),
        ("BOT_ADMIN_IDS", "me", "BOT_ADMIN_IDS"),
        ("BOT_WEBHOOK_URL", "http://bot.example.org/hook", "BOT_WEBHOOK_URL"),
        ("BOT_WEBHOOK_PORT", "70000", "BOT_WEBHOOK_PORT"),
        ("BOT_INBOX_URL", "mysql://u:pw@db/x", "BOT_INBOX_URL"),
        ("BOT_INBOX_LEASE_SECONDS", "0", "BOT_INBOX_LEASE_SECONDS"),
        ("BOT_XAPIAN_SHARDS", "10.0.0.1:7000;10.0.0.2", "BOT_XAPIAN_SHARDS"),
        ("BOT_XAPIAN_SHARDS", "10.0.0.1:70000", "BOT_XAPIAN_SHARDS"),
    ],
)
def test_bad_values_name_the_setting_and_never_the_token(monkeypatch, variable, value, named):
    monkeypatch.setenv("BOT_TOKEN", SECRET)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert named in str(error.value) and SECRET not in str(error.value)


def test_values_from_env_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("BOT_TOP_K=5\nBOT_ALLOWED_CHATS=1, -1002\n", encoding="utf-8")
    monkeypatch.setenv("BOT_TOKEN", "  ")
    settings = load_settings()
    assert settings.top_k == 5 and settings.allowed_chats == {1, -1002}
    assert settings.token is None  # blank means unset: the console runs
    assert SECRET not in repr(load_settings(token=SECRET))


def test_webhook_secret_must_use_telegram_characters(monkeypatch):
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "has spaces!")
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_SECRET"):
        load_settings()


def test_a_webhook_without_its_secret_stops_the_bot_but_not_ask(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("BOT_TOKEN", SECRET)
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/hook")
    assert main(["ask", "--json", "tu soi tu sua"]) == 0
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "tin-bot: BOT_WEBHOOK_SECRET is required when BOT_WEBHOOK_URL is set"
    )
    assert SECRET not in err


def test_the_shared_inbox_url_and_its_password_are_secrets(monkeypatch):
    monkeypatch.setenv("BOT_INBOX_URL", "postgresql://tin:s3cr3t-pw@db.internal:5432/tin")
    settings = load_settings()
    assert "s3cr3t-pw" in settings.secrets()
    assert settings.inbox_url is not None and "s3cr3t-pw" not in repr(settings)


def test_files_come_from_the_bot_apis_file_url_unless_set(monkeypatch):
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081/bot")
    assert load_settings().file_url == "http://127.0.0.1:8081/file/bot"
    monkeypatch.setenv("BOT_API_FILE_URL", "https://files.example.org/file/bot")
    assert load_settings().file_url == "https://files.example.org/file/bot"
    assert load_settings(api_file_url=None).file_url.endswith("/file/bot")


def test_xapian_shards_list_each_shards_primary_then_its_replicas(monkeypatch):
    monkeypatch.setenv("BOT_XAPIAN_SHARDS", "a:7000, b:7000;c:7001")
    assert load_settings().xapian_shards == ((("a", 7000), ("b", 7000)), (("c", 7001),))
    monkeypatch.setenv("BOT_XAPIAN_SHARDS", "")
    assert load_settings().xapian_shards == ()
