//! The bucket target: a site published as objects under a prefix of an S3 (or
//! S3-compatible) bucket, uploading only objects whose bytes changed.
//!
//! What the bucket holds besides the site's files, all under the prefix and
//! under names no permalink may take: the manifest (`.gazette-manifest`,
//! the same as a folder's, so the next publish, from any machine, plans
//! from it), the render state it names (`.gazette-render-state`, for page
//! edits), and [`OBJECTS_PATH`], the record of every object's hash, which is
//! what "changed" is measured against (objects are never listed).
//!
//! Order, so that a reader never gets a page whose assets are missing:
//! first a record naming every object about to be created (so a crash
//! leaves nothing unknown), then new and changed files other than HTML,
//! then HTML pages, then the record of the new version, then the manifest,
//! then deletions of what the new version no longer has. See
//! ARCHITECTURE.md, "Bucket targets", for what a reader sees meanwhile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use gazette_content::Source;
use gazette_render::{MANIFEST_PATH, OutputContents, RenderedSite};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt as _, PutOptions, PutPayload,
};
use serde::{Deserialize, Serialize};

use crate::output::{OutputError, read_copy, safe_join};

/// The record of the objects a publish left in the bucket, with their hashes.
pub const OBJECTS_PATH: &str = ".gazette-objects";

/// The render state of the published version, for page edits from any clone.
pub const RENDER_STATE_PATH: &str = ".gazette-render-state";

/// How many uploads run at once.
const IN_FLIGHT: usize = 16;

/// A bucket target as `site.toml` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketTarget {
    /// `s3://name/prefix` (the prefix may be empty).
    pub url: String,
    /// The S3 endpoint, for stores other than AWS (`http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    /// The region; else `AWS_REGION`/`AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: Option<String>,
}

/// Why the bucket could not be used. Credentials never appear in these.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// The `bucket` setting is not `s3://name/prefix`.
    #[error("`{0}` is not a bucket address; write it as s3://name/prefix")]
    Address(String),
    /// The store refused or failed a request.
    #[error("bucket {bucket}: {source}")]
    Store {
        /// `s3://name/prefix`.
        bucket: String,
        /// What the store said.
        source: object_store::Error,
    },
    /// The runtime for the requests could not start.
    #[error("cannot start the bucket client: {0}")]
    Runtime(std::io::Error),
}

/// What a publish uploaded and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadStats {
    /// Objects written (site files, state and records).
    pub objects_uploaded: usize,
    /// Their bytes.
    pub bytes_uploaded: u64,
    /// Objects removed.
    pub objects_deleted: usize,
}

/// What the bucket holds, by the last publish's own record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ObjectRecord {
    /// Every object of the published version and its hash.
    files: BTreeMap<String, String>,
    /// Objects that may exist but belong to no version: created by a
    /// publish that did not finish, or not yet deleted. Removed next time.
    leftover: BTreeSet<String>,
}

/// An open bucket: a client and the runtime its requests run on.
pub(crate) struct Bucket {
    store: Arc<AmazonS3>,
    prefix: String,
    address: String,
    runtime: tokio::runtime::Runtime,
}

impl Bucket {
    /// Opens the bucket `target` names; credentials come from the usual
    /// environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`), or the instance's role.
    pub(crate) fn open(target: &BucketTarget) -> Result<Self, BucketError> {
        let (name, prefix) = parse_address(&target.url)?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(name);
        if let Some(region) = &target.region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = &target.endpoint {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        let address = target.url.clone();
        let store = builder.build().map_err(|source| BucketError::Store {
            bucket: address.clone(),
            source,
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(BucketError::Runtime)?;
        Ok(Self {
            store: Arc::new(store),
            prefix,
            address,
            runtime,
        })
    }

    fn key(&self, path: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(path)
        } else {
            ObjectPath::from(format!("{}/{path}", self.prefix))
        }
    }

    fn store_error(&self, source: object_store::Error) -> BucketError {
        BucketError::Store {
            bucket: self.address.clone(),
            source,
        }
    }

    /// The object at `path` under the prefix, if there is one.
    pub(crate) fn read(&self, path: &str) -> Result<Option<Vec<u8>>, BucketError> {
        let key = self.key(path);
        let store = Arc::clone(&self.store);
        let result = self.runtime.block_on(async move {
            match store.get(&key).await {
                Ok(got) => got.bytes().await.map(|bytes| Some(bytes.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(error) => Err(error),
            }
        });
        result.map_err(|error| self.store_error(error))
    }

    /// Writes the new version: only objects whose bytes differ from the
    /// record, in the order the module's documentation gives.
    pub(crate) fn publish(
        &self,
        rendered: &RenderedSite,
        source: &dyn Source,
        render_state: Option<&[u8]>,
    ) -> Result<UploadStats, crate::PublishError> {
        let previous: ObjectRecord = self
            .read(OBJECTS_PATH)?
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default();

        let mut manifest = None;
        let mut files = BTreeMap::new();
        let mut changed: Vec<(String, Vec<u8>)> = Vec::new();
        for output in &rendered.outputs {
            safe_join(Path::new(""), &output.path)?;
            if output.path == MANIFEST_PATH {
                if let OutputContents::Rendered(bytes) = &output.contents {
                    manifest = Some(bytes.clone());
                }
                continue;
            }
            let known = previous.files.get(&output.path);
            let bytes = match &output.contents {
                OutputContents::Rendered(bytes) => bytes.clone(),
                OutputContents::Copy(path) | OutputContents::CopySanitizedSvg(path) => {
                    read_copy(&output.contents, path, source)?
                }
                OutputContents::Written => {
                    return Err(OutputError::NotHeld(output.path.clone()).into());
                }
                OutputContents::Reuse(path) => match previous.files.get(path) {
                    // Reused at its own path: the object is already there.
                    Some(hash) if *path == output.path => {
                        files.insert(output.path.clone(), hash.clone());
                        continue;
                    }
                    _ => self
                        .read(path)?
                        .ok_or_else(|| OutputError::MissingPrevious(path.into()))?,
                },
            };
            let hash = blake3::hash(&bytes).to_hex().to_string();
            if known != Some(&hash) {
                changed.push((output.path.clone(), bytes));
            }
            files.insert(output.path.clone(), hash);
        }
        match render_state {
            Some(state) => {
                let hash = blake3::hash(state).to_hex().to_string();
                if previous.files.get(RENDER_STATE_PATH) != Some(&hash) {
                    changed.push((RENDER_STATE_PATH.to_owned(), state.to_vec()));
                }
                files.insert(RENDER_STATE_PATH.to_owned(), hash);
            }
            // Page edits keep the state the manifest already names.
            None if rendered.manifest.render_state.is_some() => {
                if let Some(hash) = previous.files.get(RENDER_STATE_PATH) {
                    files.insert(RENDER_STATE_PATH.to_owned(), hash.clone());
                }
            }
            None => {}
        }

        let mut stats = UploadStats::default();
        // Objects about to be created are recorded first, so that a crash
        // from here on leaves none the next publish does not know of.
        let created: BTreeSet<String> = changed
            .iter()
            .map(|(path, _)| path.clone())
            .filter(|path| !previous.files.contains_key(path))
            .collect();
        if !created.is_subset(&previous.leftover) {
            let intent = ObjectRecord {
                files: previous.files.clone(),
                leftover: previous.leftover.union(&created).cloned().collect(),
            };
            self.put_record(&intent, &mut stats)?;
        }

        // Assets before the pages that use them.
        let (pages, assets): (Vec<_>, Vec<_>) = changed
            .into_iter()
            .partition(|(path, _)| path.ends_with(".html") || path.ends_with(".htm"));
        self.upload(assets, &mut stats)?;
        self.upload(pages, &mut stats)?;

        let leftover: BTreeSet<String> = previous
            .files
            .keys()
            .chain(&previous.leftover)
            .chain(&created)
            .filter(|path| !files.contains_key(*path))
            .cloned()
            .collect();
        let record = ObjectRecord { files, leftover };
        self.put_record(&record, &mut stats)?;
        if let Some(manifest) = manifest {
            self.upload(vec![(MANIFEST_PATH.to_owned(), manifest)], &mut stats)?;
        }

        self.delete_leftovers(record, &mut stats)?;
        Ok(stats)
    }

    /// Deletes the objects `record` names as leftovers, then records that
    /// they are gone.
    fn delete_leftovers(
        &self,
        record: ObjectRecord,
        stats: &mut UploadStats,
    ) -> Result<(), BucketError> {
        if record.leftover.is_empty() {
            return Ok(());
        }
        self.delete(&record.leftover)?;
        stats.objects_deleted = record.leftover.len();
        let done = ObjectRecord {
            files: record.files,
            leftover: BTreeSet::new(),
        };
        self.put_record(&done, stats)
    }

    /// Deletes the objects a publish that did not finish created (its
    /// record names them), when a later publish has nothing else to do.
    pub(crate) fn clean_leftovers(&self) -> Result<Option<UploadStats>, BucketError> {
        let Some(record) = self
            .read(OBJECTS_PATH)?
            .and_then(|bytes| postcard::from_bytes::<ObjectRecord>(&bytes).ok())
        else {
            return Ok(None);
        };
        if record.leftover.is_empty() {
            return Ok(None);
        }
        let mut stats = UploadStats::default();
        self.delete_leftovers(record, &mut stats)?;
        Ok(Some(stats))
    }

    fn put_record(
        &self,
        record: &ObjectRecord,
        stats: &mut UploadStats,
    ) -> Result<(), BucketError> {
        // Encoding a map of strings into a vector cannot fail.
        let bytes = postcard::to_stdvec(record).unwrap_or_default();
        self.upload(vec![(OBJECTS_PATH.to_owned(), bytes)], stats)
    }

    /// Uploads objects, several at once, each with its type and caching.
    fn upload(
        &self,
        objects: Vec<(String, Vec<u8>)>,
        stats: &mut UploadStats,
    ) -> Result<(), BucketError> {
        if objects.is_empty() {
            return Ok(());
        }
        stats.objects_uploaded += objects.len();
        stats.bytes_uploaded += objects.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
        let jobs: Vec<(ObjectPath, PutOptions, PutPayload)> = objects
            .into_iter()
            .map(|(path, bytes)| (self.key(&path), put_options(&path), bytes.into()))
            .collect();
        let store = Arc::clone(&self.store);
        let result = self.runtime.block_on(async move {
            let mut running = tokio::task::JoinSet::new();
            for (key, options, payload) in jobs {
                if running.len() >= IN_FLIGHT
                    && let Some(done) = running.join_next().await
                {
                    finished(done)?;
                }
                let store = Arc::clone(&store);
                running.spawn(async move { store.put_opts(&key, payload, options).await });
            }
            while let Some(done) = running.join_next().await {
                finished(done)?;
            }
            Ok(())
        });
        result.map_err(|error| self.store_error(error))
    }

    fn delete(&self, paths: &BTreeSet<String>) -> Result<(), BucketError> {
        let keys: Vec<ObjectPath> = paths.iter().map(|path| self.key(path)).collect();
        let store = Arc::clone(&self.store);
        let result = self.runtime.block_on(async move {
            for key in keys {
                match store.delete(&key).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(())
        });
        result.map_err(|error| self.store_error(error))
    }
}

/// The result of one upload task; a panic in it is carried on.
fn finished<T>(
    done: Result<Result<T, object_store::Error>, tokio::task::JoinError>,
) -> Result<(), object_store::Error> {
    match done {
        Ok(result) => result.map(drop),
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// `s3://name/prefix` → the bucket's name and the prefix without slashes at
/// its ends. A prefix may not climb (`..`) or hold empty segments.
fn parse_address(url: &str) -> Result<(String, String), BucketError> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| BucketError::Address(url.to_owned()))?;
    let (name, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = prefix.trim_matches('/');
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let valid_prefix = prefix.is_empty()
        || prefix
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if !valid_name || !valid_prefix {
        return Err(BucketError::Address(url.to_owned()));
    }
    Ok((name.to_owned(), prefix.to_owned()))
}

/// The headers an object is served with: its type by extension, and how long
/// caches may keep it: a few minutes for HTML (and Gazette's own records),
/// which changes in place, a year for files whose names carry a hash of
/// their contents, an hour for other files.
fn put_options(path: &str) -> PutOptions {
    let name = path.rsplit('/').next().unwrap_or(path);
    let content_type = if name.starts_with(gazette_content::RESERVED_PREFIX) {
        "application/octet-stream".to_owned()
    } else {
        mime_guess::from_path(name)
            .first_or_octet_stream()
            .essence_str()
            .to_owned()
    };
    let cache = if content_type == "text/html" || name.starts_with(gazette_content::RESERVED_PREFIX)
    {
        "public, max-age=60, must-revalidate"
    } else if is_fingerprinted(name) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let content_type = match content_type.as_str() {
        "text/html"
        | "text/css"
        | "text/plain"
        | "application/javascript"
        | "text/javascript"
        | "application/json"
        | "image/svg+xml"
        | "application/xml"
        | "text/xml" => format!("{content_type}; charset=utf-8"),
        _ => content_type,
    };
    let mut attributes = Attributes::new();
    attributes.insert(Attribute::ContentType, content_type.into());
    attributes.insert(Attribute::CacheControl, cache.into());
    PutOptions {
        attributes,
        ..PutOptions::default()
    }
}

/// Whether a file name carries a hash of its contents (`app.3f9a1c0d.js`,
/// `logo-3f9a1c0d5e.png`): a run of at least eight hex digits between
/// separators, with at least one digit and one letter.
fn is_fingerprinted(name: &str) -> bool {
    name.split(['.', '-', '_']).any(|part| {
        part.len() >= 8
            && part.bytes().all(|b| b.is_ascii_hexdigit())
            && part.bytes().any(|b| b.is_ascii_digit())
            && part.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_a_bucket_and_a_prefix_that_cannot_climb() {
        assert_eq!(
            parse_address("s3://sites/govtech/").unwrap(),
            ("sites".into(), "govtech".into())
        );
        assert_eq!(
            parse_address("s3://sites").unwrap(),
            ("sites".into(), String::new())
        );
        for bad in [
            "https://sites/x",
            "s3:///x",
            "s3://sites/a/../b",
            "s3://sites/a//b",
            "s3://Sites/x",
        ] {
            assert!(parse_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn html_is_cached_briefly_and_hashed_names_for_a_year() {
        let header = |path: &str, attribute: Attribute| {
            put_options(path)
                .attributes
                .get(&attribute)
                .map(|value| value.as_ref().to_owned())
        };
        assert_eq!(
            header("about/index.html", Attribute::ContentType).as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(
            header("about/index.html", Attribute::CacheControl)
                .is_some_and(|c| c.contains("max-age=60,"))
        );
        assert!(
            header("assets/app.3f9a1c0d.js", Attribute::CacheControl)
                .is_some_and(|c| c.contains("immutable"))
        );
        assert!(
            header("images/team-photo.png", Attribute::CacheControl)
                .is_some_and(|c| c.contains("max-age=3600"))
        );
        assert_eq!(
            header("images/a.png", Attribute::ContentType).as_deref(),
            Some("image/png")
        );
        assert!(!is_fingerprinted("deadbeef.png"), "a word, not a hash");
    }
}
