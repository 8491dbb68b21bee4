//! Staff PINs: stored only as argon2id hashes (PHC strings), computed here in Rust because not
//! every target database has pgcrypto (the embedded one does not).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{Error, Result};

/// A PIN is 4 to 8 digits.
pub fn validate_pin(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid("pin", "A PIN is 4 to 8 digits."))
    }
}

pub fn hash_pin(pin: &str) -> Result<String> {
    validate_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid("pin", format!("The PIN could not be hashed: {e}")))
}

/// Constant-time check of a PIN against a stored hash; a malformed hash never matches.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_pin() {
        let hash = hash_pin("4821").unwrap();
        assert!(
            hash.starts_with("$argon2id$"),
            "stored as an argon2id PHC string: {hash}"
        );
        assert!(verify_pin("4821", &hash));
        assert!(!verify_pin("4822", &hash), "a wrong PIN must not verify");
        assert!(!verify_pin("4821", "not a hash"));
    }

    #[test]
    fn pins_are_digits_only() {
        for bad in ["", "123", "123456789", "12a4", "1234 "] {
            assert!(validate_pin(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(validate_pin("0000").is_ok());
    }
}
