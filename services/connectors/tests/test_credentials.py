"""Shop credentials at rest: sealed with the first key, opened with any, re-sealed by a rotation; a key
file is made for the embedded mode."""

import stat

import pytest
from cryptography.fernet import Fernet

from connectors.credentials import CredentialBox, CredentialsUnreadable, load_keys


def test_credentials_round_trip_and_never_appear_in_the_sealed_bytes():
    box = CredentialBox([Fernet.generate_key().decode()])
    sealed = box.seal({"access_token": "shpat_secret"})
    assert b"shpat_secret" not in sealed
    assert box.open(sealed) == {"access_token": "shpat_secret"}


def test_a_rotation_reseals_with_the_new_key_so_the_old_one_can_go():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = CredentialBox([old]).seal({"k": "v"})
    resealed = CredentialBox([new, old]).reseal(sealed)
    assert CredentialBox([new]).open(resealed) == {"k": "v"}
    with pytest.raises(CredentialsUnreadable, match="PRINTBRIDGE_SECRET_KEYS"):
        CredentialBox([new]).open(sealed)


def test_a_malformed_key_is_refused_with_how_to_make_one():
    with pytest.raises(ValueError, match="generate_key"):
        CredentialBox(["not-a-key"])


def test_without_the_setting_a_private_key_file_is_made_once_and_reused(tmp_path):
    first = load_keys(None, tmp_path)
    assert load_keys("", tmp_path) == first and len(first) == 1
    assert stat.S_IMODE((tmp_path / "secret_keys").stat().st_mode) == 0o600
    configured = Fernet.generate_key().decode()
    assert load_keys(f" {configured} , ", tmp_path) == [configured]
