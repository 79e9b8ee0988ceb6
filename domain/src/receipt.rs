//! The receipt a resident keeps instead of an account: a short public ticket number and a secret
//! access key. Both use Crockford's base-32 alphabet (no I, L, O, U), so they survive being read
//! aloud or copied by hand; parsing forgives case, spaces, dashes and the usual look-alikes.

use crate::fields::{FieldError, FieldName};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of randomness in a ticket number: 8 × 5 = 40 bits, enough to make collisions rare
/// (the store retries on the unique constraint) and guessing pointless without the key.
pub const TICKET_CHARS: usize = 8;
/// Characters of the access key: 26 × 5 = 130 bits of entropy.
pub const KEY_CHARS: usize = 26;
// At least 128 bits, checked when compiling.
const _: () = assert!(KEY_CHARS * 5 >= 128);
const TICKET_PREFIX: &str = "PA";

fn encode(random: &[u8], chars: usize) -> String {
    // Take 5 bits at a time from the byte stream.
    let mut out = String::with_capacity(chars);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut bytes = random.iter();
    while out.len() < chars {
        if bits < 5 {
            let b = bytes.next().copied().unwrap_or(0);
            acc = (acc << 8) | u32::from(b);
            bits += 8;
        }
        bits -= 5;
        let idx = ((acc >> bits) & 31) as usize;
        out.push(char::from(ALPHABET[idx]));
    }
    out
}

/// Normalises user input: uppercase, drops spaces and dashes, maps look-alikes (I/L → 1, O → 0).
fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

fn all_in_alphabet(s: &str) -> bool {
    s.bytes().all(|b| ALPHABET.contains(&b))
}

/// The public ticket number, e.g. `PA-7K3M-9Q2D` (stored without dashes: `PA7K3M9Q2D`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ticket(String);

impl Ticket {
    /// Builds a ticket from at least 5 random bytes supplied by the caller (domain does no IO).
    #[must_use]
    pub fn from_random(random: &[u8; 5]) -> Self {
        Self(format!("{TICKET_PREFIX}{}", encode(random, TICKET_CHARS)))
    }

    /// # Errors
    /// Not a ticket of this portal (wrong prefix, length or characters).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let n = normalise(input);
        if n.is_empty() {
            return Err(FieldError::new(FieldName::Ticket, Msg::ErrTicketEmpty));
        }
        // "PA" normalises to "PA"; accept the body alone too, which may itself begin with "PA"
        // (one ticket in 1024): the length tells the two apart.
        let body = match n.strip_prefix(TICKET_PREFIX) {
            Some(rest) if rest.len() == TICKET_CHARS => rest,
            _ => &n,
        };
        if body.len() == TICKET_CHARS && all_in_alphabet(body) {
            Ok(Self(format!("{TICKET_PREFIX}{body}")))
        } else {
            Err(FieldError::new(FieldName::Ticket, Msg::ErrTicketFormat))
        }
    }

    /// The stored form (no dashes).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading: `PA-7K3M-9Q2D`.
    #[must_use]
    pub fn display(&self) -> String {
        let body = &self.0[TICKET_PREFIX.len()..];
        format!("{TICKET_PREFIX}-{}-{}", &body[..4], &body[4..])
    }
}

/// The secret that proves a resident may read an appeal. Only its hash is stored with the appeal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey(String);

impl std::fmt::Debug for AccessKey {
    // Never print the secret, even in debug logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKey(***)")
    }
}

impl AccessKey {
    /// Builds a key from 17 random bytes (136 bits, of which 130 are used).
    #[must_use]
    pub fn from_random(random: &[u8; 17]) -> Self {
        Self(encode(random, KEY_CHARS))
    }

    /// # Errors
    /// Empty, or not 26 characters of the alphabet after normalising.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let n = normalise(input);
        if n.is_empty() {
            return Err(FieldError::new(FieldName::Key, Msg::ErrKeyEmpty));
        }
        if n.len() == KEY_CHARS && all_in_alphabet(&n) {
            Ok(Self(n))
        } else {
            Err(FieldError::new(FieldName::Key, Msg::ErrKeyFormat))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped by four for copying by hand: `ABCD-EFGH-…`.
    #[must_use]
    pub fn display(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_round_trips_through_display_and_sloppy_input() {
        let t = Ticket::from_random(&[0xde, 0xad, 0xbe, 0xef, 0x42]);
        assert_eq!(t.as_str().len(), 2 + TICKET_CHARS);
        assert_eq!(Ticket::parse(&t.display()).unwrap(), t);
        assert_eq!(Ticket::parse(&t.display().to_lowercase()).unwrap(), t);
        assert_eq!(Ticket::parse(&format!(" {} ", &t.as_str()[2..])).unwrap(), t);
        // Found by tests/fuzz: a body that itself begins with the prefix.
        let t = Ticket::from_random(&[0xb2, 0x80, 0, 0, 0]);
        assert_eq!(t.as_str(), "PAPA000000");
        assert_eq!(Ticket::parse("PA000000").unwrap(), t);
        assert_eq!(Ticket::parse("pa-0000").unwrap_err().msg, Msg::ErrTicketFormat);
    }

    #[test]
    fn ticket_encoding_is_the_bit_stream() {
        // 0x00.. → all zeros; 0xff.. → all Z.
        assert_eq!(Ticket::from_random(&[0; 5]).as_str(), "PA00000000");
        assert_eq!(Ticket::from_random(&[0xff; 5]).as_str(), "PAZZZZZZZZ");
        // 0b00001_00010_... : first char index 1, second 2.
        assert_eq!(&Ticket::from_random(&[0x08, 0x80, 0, 0, 0]).as_str()[2..4], "12");
    }

    #[test]
    fn ticket_rejects_wrong_shapes() {
        assert_eq!(Ticket::parse("").unwrap_err().msg, Msg::ErrTicketEmpty);
        assert_eq!(Ticket::parse("PA-1234").unwrap_err().msg, Msg::ErrTicketFormat);
        assert_eq!(Ticket::parse("PA-1234-567U").unwrap_err().msg, Msg::ErrTicketFormat);
        assert_eq!(Ticket::parse("PA-1234-5678-9").unwrap_err().msg, Msg::ErrTicketFormat);
    }

    #[test]
    fn key_has_at_least_128_bits_and_forgives_lookalikes() {
        let k = AccessKey::from_random(&[7; 17]);
        assert_eq!(k.as_str().len(), KEY_CHARS);
        assert_eq!(AccessKey::parse(&k.display()).unwrap(), k);
        let with_lookalikes = k.as_str().replace('1', "l").replace('0', "o");
        assert_eq!(AccessKey::parse(&with_lookalikes).unwrap(), k);
        assert_eq!(AccessKey::parse("").unwrap_err().msg, Msg::ErrKeyEmpty);
        assert_eq!(AccessKey::parse("ABC").unwrap_err().msg, Msg::ErrKeyFormat);
    }

    #[test]
    fn key_debug_never_shows_the_secret() {
        let k = AccessKey::from_random(&[9; 17]);
        assert!(!format!("{k:?}").contains(k.as_str()));
    }
}
