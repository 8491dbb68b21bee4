//! Where the desk's database password lives: the OS keyring when there is one; otherwise only
//! in memory for this run (the app then asks for it at each start). Never on disk in plain text.

use std::sync::Mutex;

const SERVICE: &str = "club.branchdesk.desk";

#[derive(Debug, Default)]
pub struct Secrets {
    memory: Mutex<Option<String>>,
    /// Tests and headless runs can turn the OS keyring off.
    keyring_disabled: bool,
}

/// Where a password was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    Keyring,
    MemoryOnly,
}

impl Secrets {
    pub fn new(keyring_disabled: bool) -> Self {
        Secrets {
            memory: Mutex::new(None),
            keyring_disabled,
        }
    }

    pub fn store(&self, role: &str, password: &str) -> Kept {
        *self.memory.lock().expect("secrets lock") = Some(password.to_owned());
        if self.keyring_disabled {
            return Kept::MemoryOnly;
        }
        match keyring::Entry::new(SERVICE, role).and_then(|e| e.set_password(password)) {
            Ok(()) => Kept::Keyring,
            Err(e) => {
                tracing::warn!(error = %e, "no OS keyring: keeping the desk password in memory for this run only");
                Kept::MemoryOnly
            }
        }
    }

    pub fn load(&self, role: &str) -> Option<String> {
        if let Some(p) = self.memory.lock().expect("secrets lock").clone() {
            return Some(p);
        }
        if self.keyring_disabled {
            return None;
        }
        keyring::Entry::new(SERVICE, role)
            .and_then(|e| e.get_password())
            .ok()
    }

    pub fn forget(&self, role: &str) {
        *self.memory.lock().expect("secrets lock") = None;
        if !self.keyring_disabled {
            let _ = keyring::Entry::new(SERVICE, role).and_then(|e| e.delete_credential());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_only_when_there_is_no_keyring() {
        let s = Secrets::new(true);
        assert_eq!(s.load("desk_ldn"), None);
        assert_eq!(s.store("desk_ldn", "pw"), Kept::MemoryOnly);
        assert_eq!(s.load("desk_ldn").as_deref(), Some("pw"));
        s.forget("desk_ldn");
        assert_eq!(s.load("desk_ldn"), None);
    }
}
