//! Who a learner's bearer token says they are, when the token is a JWT
//! signed by the identity provider the operator configures.
//!
//! A client app with its own sign-in hands its users' JWTs to skillgraph;
//! this crate checks them (signature with an HS256 secret or an RS256 /
//! ES256 public key, expiry, issuer, audience) and answers the `sub`
//! claim, which is the learner's id. Opaque tokens that skillgraph issues
//! itself are the store's business, not this crate's.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};

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

/// Checks JWTs against one configuration.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
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
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 30;
        Ok(Self { key, validation })
    }

    /// The learner id (`sub`) of a valid token.
    pub fn verify(&self, token: &str) -> Result<String, IdentityError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => IdentityError::Expired,
                ErrorKind::InvalidSignature => IdentityError::BadSignature,
                ErrorKind::InvalidAudience => IdentityError::WrongAudience,
                ErrorKind::InvalidIssuer => IdentityError::WrongIssuer,
                _ => IdentityError::Malformed(e.to_string()),
            },
        )?;
        let sub = data.claims.sub.trim();
        if sub.is_empty() || sub.len() > 255 {
            return Err(IdentityError::Malformed(
                "`sub` must hold 1 to 255 characters".into(),
            ));
        }
        Ok(sub.to_owned())
    }
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

    fn token(claims: serde_json::Value, secret: &[u8]) -> String {
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
            Ok("ada".into())
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
