//! Who a learner's bearer token says they are, when the token is a JWT
//! signed by the identity provider the operator configures.
//!
//! A client app with its own sign-in hands its users' JWTs to skillgraph;
//! this crate checks them (signature with an HS256 secret or an RS256 /
//! ES256 public key, issuer, audience, and the times `exp`, `nbf` and `iat`)
//! and answers the learner id the token stands for. Opaque tokens that
//! skillgraph issues itself are the store's business, not this crate's.
//!
//! # Learner ids
//!
//! A JWT's `sub` is only unique at its issuer, and it is chosen by the
//! identity provider, not by skillgraph. So a JWT learner's id is
//! issuer-qualified and lives in a namespace of its own:
//!
//! ```text
//! jwt:<issuer, with `%` written `%25` and `:` written `%3A`>:<sub>
//! ```
//!
//! e.g. `jwt:https%3A//id.example.org:ada` for `sub` `ada` of the issuer
//! `https://id.example.org`. The issuer is escaped so that the first `:`
//! after `jwt:` always ends it: two different (issuer, sub) pairs never give
//! one id. Learners skillgraph issues opaque tokens to have ids that never
//! begin with `jwt:` (`learner-<hex>`), so no `sub` can name one of them.
//! The form is stable: statuses are stored under it.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::Value;

/// How far the clocks of the identity provider and of skillgraph may
/// disagree, in seconds: `exp`, `nbf` and `iat` are checked with it.
pub const LEEWAY_SECONDS: i64 = 60;

/// The latest time a NumericDate may name: 9999-12-31T23:59:59Z. A claim
/// beyond it is refused rather than read as "never".
const LATEST_TIME: i64 = 253_402_300_799;

/// The prefix of every learner id that comes from a JWT.
pub const JWT_LEARNER_PREFIX: &str = "jwt:";

/// The key that checks signatures.
#[derive(Clone)]
pub enum SigningKey {
    /// A shared secret (HMAC with SHA-256).
    Hs256(Vec<u8>),
    /// An RSA public key in PEM (RSASSA-PKCS1-v1_5 with SHA-256).
    Rs256(Vec<u8>),
    /// A P-256 public key in PEM (ECDSA with SHA-256).
    Es256(Vec<u8>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A secret never reaches a log line.
        f.write_str(match self {
            Self::Hs256(_) => "Hs256(..)",
            Self::Rs256(_) => "Rs256(..)",
            Self::Es256(_) => "Es256(..)",
        })
    }
}

/// What the operator configures: the key, and the issuer and audience a
/// token must name.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The key that checks signatures.
    pub key: SigningKey,
    /// The `iss` a token must carry.
    pub issuer: String,
    /// The `aud` a token must carry.
    pub audience: String,
}

/// Why a token does not identify a learner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The configured key cannot be used.
    #[error("the JWT key cannot be used: {0}")]
    BadKey(String),
    /// The token's time is up.
    #[error("the token has expired")]
    Expired,
    /// The token's `nbf` is still ahead.
    #[error("the token is not valid yet: its `nbf` is in the future")]
    NotYetValid,
    /// The token's `iat` is ahead: no identity provider issues tokens from
    /// the future, so its clock or the token is wrong.
    #[error("the token was issued in the future: its `iat` is ahead of this server's clock")]
    IssuedInFuture,
    /// A time claim that is present but is no time: not a number, negative,
    /// or beyond the year 9999.
    #[error("the token's `{claim}` is not a valid time: {reason}")]
    BadTime {
        /// The claim: `exp`, `nbf` or `iat`.
        claim: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature does not match the configured key.
    #[error("the token's signature is not valid")]
    BadSignature,
    /// The token names another audience.
    #[error("the token is meant for another audience")]
    WrongAudience,
    /// The token names another issuer.
    #[error("the token comes from another issuer")]
    WrongIssuer,
    /// The token is not a well-formed JWT of the configured algorithm, or
    /// lacks a claim.
    #[error("the token is not a valid JWT: {0}")]
    Malformed(String),
}

/// The learner id of `sub` at `issuer`: `jwt:<escaped issuer>:<sub>` (see
/// the crate documentation).
pub fn jwt_learner_id(issuer: &str, sub: &str) -> String {
    format!("{}{sub}", jwt_namespace(issuer))
}

/// The prefix every learner id of `issuer` starts with:
/// `jwt:<escaped issuer>:`.
pub fn jwt_namespace(issuer: &str) -> String {
    let escaped = issuer.replace('%', "%25").replace(':', "%3A");
    format!("{JWT_LEARNER_PREFIX}{escaped}:")
}

/// Checks JWTs against one configuration.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    namespace: String,
}

/// The claims skillgraph reads itself. The times are read as any JSON, so
/// that a time that is present but malformed is named as such rather than
/// as missing.
#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
    #[serde(default, deserialize_with = "present")]
    exp: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    nbf: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iat: Option<Value>,
}

/// A claim that is there, `null` included: only an absent claim is `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    <Value as serde::Deserialize>::deserialize(d).map(Some)
}

/// A NumericDate claim as whole seconds since the epoch. RFC 7519 allows
/// fractions, which are cut off; anything that is not a number from 0 to
/// the end of the year 9999 is refused.
fn seconds(claim: &'static str, value: &Value) -> Result<i64, IdentityError> {
    let bad = |reason: String| IdentityError::BadTime { claim, reason };
    let Value::Number(number) = value else {
        return Err(bad(format!("{value} is not a number of seconds")));
    };
    let seconds = match (number.as_i64(), number.as_f64()) {
        (Some(whole), _) => whole,
        // Finite and within the range checked below, so the cast is exact
        // enough: what is cut off is the fraction.
        (None, Some(real)) if real.is_finite() && (0.0..=LATEST_TIME as f64).contains(&real) => {
            real.floor() as i64
        }
        _ => i64::MAX,
    };
    if !(0..=LATEST_TIME).contains(&seconds) {
        return Err(bad(format!(
            "{number} is out of range (0 to {LATEST_TIME} seconds since 1970)"
        )));
    }
    Ok(seconds)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Verifier {
    /// Prepares the key; a key that cannot be read is refused now, not on
    /// the first request.
    pub fn new(config: &JwtConfig) -> Result<Self, IdentityError> {
        let bad = |e: jsonwebtoken::errors::Error| IdentityError::BadKey(e.to_string());
        let (key, algorithm) = match &config.key {
            SigningKey::Hs256(secret) => {
                if secret.len() < 32 {
                    return Err(IdentityError::BadKey(
                        "an HS256 secret needs at least 32 bytes".into(),
                    ));
                }
                (
                    DecodingKey::from_secret(secret).map_err(bad)?,
                    Algorithm::HS256,
                )
            }
            SigningKey::Rs256(pem) => (
                DecodingKey::from_rsa_pem(pem).map_err(bad)?,
                Algorithm::RS256,
            ),
            SigningKey::Es256(pem) => (
                DecodingKey::from_ec_pem(pem).map_err(bad)?,
                Algorithm::ES256,
            ),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        // The times are checked by `check_times`, which tells a malformed
        // time from a missing one and also checks `iat`.
        validation.set_required_spec_claims(&["sub", "iss", "aud"]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Self {
            key,
            validation,
            namespace: jwt_namespace(&config.issuer),
        })
    }

    /// The prefix of the ids of every learner this verifier accepts:
    /// `jwt:<escaped issuer>:`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The learner id (`jwt:<escaped issuer>:<sub>`) of a valid token.
    pub fn verify(&self, token: &str) -> Result<String, IdentityError> {
        self.verify_at(token, now())
    }

    /// [`Verifier::verify`] with the clock given, in seconds since 1970.
    fn verify_at(&self, token: &str, now: i64) -> Result<String, IdentityError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => IdentityError::BadSignature,
                ErrorKind::InvalidAudience => IdentityError::WrongAudience,
                ErrorKind::InvalidIssuer => IdentityError::WrongIssuer,
                _ => IdentityError::Malformed(e.to_string()),
            },
        )?;
        check_times(&data.claims, now)?;
        let sub = data.claims.sub.trim();
        if sub.is_empty() || sub.len() > 255 {
            return Err(IdentityError::Malformed(
                "`sub` must hold 1 to 255 characters".into(),
            ));
        }
        Ok(format!("{}{sub}", self.namespace))
    }
}

/// `exp` must be present and not past, `nbf` (when present) not ahead,
/// `iat` (when present) not ahead; each with [`LEEWAY_SECONDS`].
fn check_times(claims: &Claims, now: i64) -> Result<(), IdentityError> {
    let exp = claims
        .exp
        .as_ref()
        .ok_or_else(|| IdentityError::Malformed("it has no `exp` claim".into()))?;
    let exp = seconds("exp", exp)?;
    let nbf = claims.nbf.as_ref().map(|v| seconds("nbf", v)).transpose()?;
    let iat = claims.iat.as_ref().map(|v| seconds("iat", v)).transpose()?;
    if exp < now - LEEWAY_SECONDS {
        return Err(IdentityError::Expired);
    }
    if nbf.is_some_and(|nbf| nbf > now + LEEWAY_SECONDS) {
        return Err(IdentityError::NotYetValid);
    }
    if iat.is_some_and(|iat| iat > now + LEEWAY_SECONDS) {
        return Err(IdentityError::IssuedInFuture);
    }
    Ok(())
}

/// Whether a bearer token has the shape of a JWT (three dot-separated
/// parts) rather than of an opaque skillgraph token.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3 && !token.starts_with("sg_")
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    const SECRET: &[u8] = b"a test secret that is long enough for hs256";

    fn verifier() -> Verifier {
        Verifier::new(&JwtConfig {
            key: SigningKey::Hs256(SECRET.to_vec()),
            issuer: "https://id.example.org".into(),
            audience: "skillgraph".into(),
        })
        .unwrap()
    }

    fn token(claims: Value, secret: &[u8]) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret).unwrap(),
        )
        .unwrap()
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn tokens_are_checked_for_signature_time_issuer_and_audience() {
        let good = json!({ "sub": "ada", "iss": "https://id.example.org", "aud": "skillgraph", "exp": now() + 600 });
        assert_eq!(
            verifier().verify(&token(good.clone(), SECRET)),
            Ok("jwt:https%3A//id.example.org:ada".into())
        );
        assert!(looks_like_jwt(&token(good.clone(), SECRET)));
        assert!(!looks_like_jwt("sg_learner_00ff"));

        let mut expired = good.clone();
        expired["exp"] = json!(now() - 3600);
        assert_eq!(
            verifier().verify(&token(expired, SECRET)),
            Err(IdentityError::Expired)
        );
        let mut elsewhere = good.clone();
        elsewhere["aud"] = json!("another-app");
        assert_eq!(
            verifier().verify(&token(elsewhere, SECRET)),
            Err(IdentityError::WrongAudience)
        );
        let mut issuer = good.clone();
        issuer["iss"] = json!("https://evil.example.org");
        assert_eq!(
            verifier().verify(&token(issuer, SECRET)),
            Err(IdentityError::WrongIssuer)
        );
        assert_eq!(
            verifier().verify(&token(
                good.clone(),
                b"another secret, also long enough here"
            )),
            Err(IdentityError::BadSignature)
        );
        let mut no_sub = good;
        no_sub.as_object_mut().unwrap().remove("sub");
        assert!(matches!(
            verifier().verify(&token(no_sub, SECRET)),
            Err(IdentityError::Malformed(_))
        ));
        assert!(matches!(
            verifier().verify("a.b.c"),
            Err(IdentityError::Malformed(_))
        ));
    }

    #[test]
    fn times_are_checked_with_a_leeway_and_a_malformed_time_is_no_missing_one() {
        let base = json!({ "sub": "ada", "iss": "https://id.example.org", "aud": "skillgraph", "exp": now() + 600 });
        let with = |claim: &str, value: Value| {
            let mut claims = base.clone();
            claims[claim] = value;
            verifier().verify(&token(claims, SECRET))
        };
        let soon = now() + 3600;
        assert_eq!(with("nbf", json!(soon)), Err(IdentityError::NotYetValid));
        assert_eq!(with("iat", json!(soon)), Err(IdentityError::IssuedInFuture));
        // Within the leeway, a clock a little ahead is forgiven.
        assert!(with("nbf", json!(now() + 20)).is_ok());
        assert!(with("iat", json!(now() + 20)).is_ok());
        assert!(with("nbf", json!(now() - 60)).is_ok());
        assert!(with("iat", json!(now() - 60)).is_ok());
        assert!(with("exp", json!(now() - 20)).is_ok());
        assert_eq!(with("exp", json!(now() - 600)), Err(IdentityError::Expired));
        // RFC 7519 allows fractions of a second.
        assert!(with("exp", json!(now() as f64 + 600.5)).is_ok());

        for (claim, value) in [
            ("exp", json!(1e20)),
            ("exp", json!(u64::MAX)),
            ("exp", json!(-1)),
            ("exp", json!("tomorrow")),
            ("exp", json!(null)),
            ("nbf", json!(1e300)),
            ("iat", json!([1])),
        ] {
            let refused = with(claim, value.clone());
            assert!(
                matches!(&refused, Err(IdentityError::BadTime { claim: c, .. }) if *c == claim),
                "{claim} = {value}: {refused:?}"
            );
            let message = refused.unwrap_err().to_string();
            assert!(
                message.contains(&format!("`{claim}`")) && !message.contains("missing"),
                "{message}"
            );
        }
        let mut no_exp = base.clone();
        no_exp.as_object_mut().unwrap().remove("exp");
        let missing = verifier().verify(&token(no_exp, SECRET)).unwrap_err();
        assert!(missing.to_string().contains("no `exp`"), "{missing}");
    }

    #[test]
    fn learner_ids_are_issuer_qualified_and_never_collide() {
        assert_eq!(
            jwt_learner_id("https://id.example.org", "ada"),
            "jwt:https%3A//id.example.org:ada"
        );
        // Without the escaping these two would both be `jwt:a:b:c`.
        assert_ne!(jwt_learner_id("a:b", "c"), jwt_learner_id("a", "b:c"));
        assert_ne!(jwt_learner_id("a%3Ab", "c"), jwt_learner_id("a:b", "c"));
        assert!(jwt_learner_id("i", "learner-00ff").starts_with(JWT_LEARNER_PREFIX));
        assert!(jwt_learner_id("https://id.example.org", "x").starts_with(verifier().namespace()));
    }

    #[test]
    fn unusable_keys_are_refused_up_front() {
        let config = |key| JwtConfig {
            key,
            issuer: "i".into(),
            audience: "a".into(),
        };
        assert!(Verifier::new(&config(SigningKey::Hs256(b"short".to_vec()))).is_err());
        assert!(Verifier::new(&config(SigningKey::Es256(b"not a pem".to_vec()))).is_err());
        assert!(Verifier::new(&config(SigningKey::Rs256(b"not a pem".to_vec()))).is_err());
    }
}
