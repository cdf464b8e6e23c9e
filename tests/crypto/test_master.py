"""The master key: read from the environment or an owner-only file, failing closed on anything else."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from passage.crypto import ENV_KEY, ENV_KEY_FILE, KeyringError, MasterKey, MasterKeyError

SECRET = bytes(range(32))
SECRET_B64 = base64.b64encode(SECRET).decode("ascii")


def key_file(tmp_path: Path, text: str | bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "master.key"
    path.write_bytes(text.encode("ascii") if isinstance(text, str) else text)
    path.chmod(mode)
    return path


class TestFromEnvironment:
    def test_reads_base64_from_the_variable(self) -> None:
        """PASSAGE_MASTER_KEY holds the key as base64; surrounding whitespace is ignored."""
        key = MasterKey.from_environment({ENV_KEY: f" {SECRET_B64}\n"})
        assert key.key_id == MasterKey(SECRET).key_id

    def test_reads_the_key_file(self, tmp_path: Path) -> None:
        """PASSAGE_MASTER_KEY_FILE names a mode-600 file holding the key as base64."""
        path = key_file(tmp_path, SECRET_B64 + "\n")
        assert MasterKey.from_environment({ENV_KEY_FILE: str(path)}).key_id == MasterKey(SECRET).key_id

    def test_reads_the_process_environment_by_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a mapping, os.environ is read."""
        monkeypatch.setenv(ENV_KEY, SECRET_B64)
        monkeypatch.delenv(ENV_KEY_FILE, raising=False)
        assert MasterKey.from_environment().key_id == MasterKey(SECRET).key_id

    def test_no_key_fails_closed(self) -> None:
        """With neither variable set (or both empty) there is no key and a clear error."""
        for environ in ({}, {ENV_KEY: "", ENV_KEY_FILE: ""}):
            with pytest.raises(MasterKeyError, match="no master key") as caught:
                MasterKey.from_environment(environ)
            # the operator is told both ways to set one, and why it matters
            message = str(caught.value)
            assert ENV_KEY in message
            assert ENV_KEY_FILE in message
            assert message.endswith("; Passage will not store personal data without one")

    def test_both_variables_are_ambiguous(self, tmp_path: Path) -> None:
        """Setting both the key and a key file is refused rather than one silently winning."""
        with pytest.raises(MasterKeyError, match="not both"):
            MasterKey.from_environment({ENV_KEY: SECRET_B64, ENV_KEY_FILE: str(key_file(tmp_path, SECRET_B64))})

    @pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"short").decode(), "", "QUJD\x00"])
    def test_malformed_keys_fail_closed(self, text: str) -> None:
        """A value that is not base64 of exactly 32 bytes is refused, and the message does not echo it."""
        with pytest.raises(MasterKeyError) as caught:
            MasterKey.from_base64(text)
        assert "32 bytes" in str(caught.value)
        assert text.strip() == "" or text not in str(caught.value)

    @pytest.mark.parametrize(
        "text", [f'"{SECRET_B64}"', SECRET_B64[:20] + "*" + SECRET_B64[20:], f"{SECRET_B64[:22]}\n{SECRET_B64[22:]}"]
    )
    def test_stray_characters_are_refused_not_skipped(self, text: str) -> None:
        """A key pasted with quotes, a stray character or a line break in it is refused as not base64, even
        though the base64 characters left after skipping the others would decode to 32 bytes: what is in the
        secret store is not exactly a key, and the operator is told so."""
        with pytest.raises(MasterKeyError, match="not base64"):
            MasterKey.from_base64(text)


class TestKeyFile:
    @pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o620, 0o660])
    def test_refuses_a_file_group_or_others_can_use(self, tmp_path: Path, mode: int) -> None:
        """A key file with any permission for group or others is refused, naming the mode."""
        with pytest.raises(MasterKeyError, match=rf"mode {mode:o}; group and others must have no access \(chmod 600\)"):
            MasterKey.from_file(key_file(tmp_path, SECRET_B64, mode))

    def test_accepts_a_read_only_owner_file(self, tmp_path: Path) -> None:
        """Mode 400 is as good as 600."""
        assert MasterKey.from_file(key_file(tmp_path, SECRET_B64, 0o400)).key_id == MasterKey(SECRET).key_id

    def test_a_missing_file_fails_closed(self, tmp_path: Path) -> None:
        """A path that does not exist is an error naming the path."""
        absent = tmp_path / "absent.key"
        with pytest.raises(MasterKeyError, match=f"^{ENV_KEY_FILE}: cannot open {absent}: No such file"):
            MasterKey.from_file(absent)

    def test_a_directory_is_not_a_key_file(self, tmp_path: Path) -> None:
        """A path that is not a regular file is refused."""
        directory = tmp_path / "keys"
        directory.mkdir(mode=0o700)
        with pytest.raises(MasterKeyError, match="not a regular file"):
            MasterKey.from_file(directory)

    def test_a_large_file_is_refused(self, tmp_path: Path) -> None:
        """A file far larger than a key is not read as one."""
        with pytest.raises(MasterKeyError, match="too large"):
            MasterKey.from_file(key_file(tmp_path, "A" * 5000))

    def test_a_file_up_to_4_kib_is_read(self, tmp_path: Path) -> None:
        """The limit is 4096 bytes: a key followed by padding whitespace up to exactly 4096 is read; one more
        byte and it is refused as too large."""
        padded = SECRET_B64 + "\n" * (4096 - len(SECRET_B64))
        assert MasterKey.from_file(key_file(tmp_path, padded)).key_id == MasterKey(SECRET).key_id
        with pytest.raises(MasterKeyError, match="too large"):
            MasterKey.from_file(key_file(tmp_path, padded + "\n"))

    @pytest.mark.parametrize("text", [base64.b64encode(b"short").decode(), "not base64!"])
    def test_a_bad_key_in_a_file_names_the_file_variable(self, tmp_path: Path, text: str) -> None:
        """The error for a malformed key read from a file names PASSAGE_MASTER_KEY_FILE, the variable the
        operator set, not PASSAGE_MASTER_KEY."""
        with pytest.raises(MasterKeyError, match=f"^{ENV_KEY_FILE}: expected base64 of 32 bytes"):
            MasterKey.from_environment({ENV_KEY_FILE: str(key_file(tmp_path, text))})

    def test_binary_content_is_refused(self, tmp_path: Path) -> None:
        """A file holding raw bytes rather than base64 text is refused."""
        with pytest.raises(MasterKeyError, match="base64 text"):
            MasterKey.from_file(key_file(tmp_path, b"\xff" * 32))

    def test_through_a_symlink_the_target_is_checked(self, tmp_path: Path) -> None:
        """A symlink (as secret mounts use) is followed, and the target's mode is what counts."""
        target = key_file(tmp_path, SECRET_B64, 0o644)
        link = tmp_path / "link.key"
        os.symlink(target, link)
        with pytest.raises(MasterKeyError, match="mode 644"):
            MasterKey.from_file(link)


class TestMasterKey:
    @pytest.mark.parametrize("secret", [b"", b"x" * 31, b"x" * 33, "x" * 32])
    def test_is_exactly_32_bytes(self, secret: bytes) -> None:
        """A key of any other length or type is refused."""
        with pytest.raises(MasterKeyError, match="a master key is 32 bytes"):
            MasterKey(secret)

    def test_repr_shows_only_the_id(self) -> None:
        """repr names the key by its id; the secret appears in no form."""
        key = MasterKey(SECRET)
        assert repr(key) == f"MasterKey(key_id={key.key_id!r})"
        assert SECRET_B64 not in repr(key)
        assert SECRET.hex() not in repr(key)

    def test_new_keys_are_random(self) -> None:
        """Generated keys differ, and new_base64 gives text from_base64 accepts."""
        assert MasterKey.generate().key_id != MasterKey.generate().key_id
        text = MasterKey.new_base64()
        assert MasterKey.from_base64(text).key_id != MasterKey.from_base64(MasterKey.new_base64()).key_id

    def test_unwrap_refuses_altered_or_short_input(self) -> None:
        """A wrapped key that was altered, cut short or bound to other data does not unwrap."""
        key = MasterKey(SECRET)
        wrapped = key.wrap(b"k" * 32, b"context")
        assert key.unwrap(wrapped, b"context") == b"k" * 32
        for bad, context in ((wrapped, b"other"), (wrapped[:-1], b"context"), (b"", b"context")):
            with pytest.raises(
                KeyringError, match=r"^a wrapped key failed authentication: the keyring record was altered$"
            ):
                key.unwrap(bad, context)
