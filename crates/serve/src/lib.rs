//! `gazette serve`: a live preview of sites while they are edited.
//!
//! This crate owns the preview server: every site rendered into memory and
//! served on 127.0.0.1 (an index of sites on the first port, and one port per
//! site after it, each site keeping its port between runs: `ports.rs`),
//! a file watcher on `sites/` and `themes/` that re-renders only the units
//! whose inputs changed (the same manifest `gazette publish` uses), and
//! server-sent events that tell open pages to reload, to swap a stylesheet,
//! or to show an error overlay until the file is fixed.
//!
//! It never serves a file from disk: a request can only name an output held
//! in memory, so no path can reach outside a site's output. It answers only
//! requests for loopback host names (and the `--bind` address), closes
//! clients that stall, caps open connections, and survives a page that
//! crashes the renderer (see ARCHITECTURE.md, "The preview").

mod connections;
mod hosts;
mod live_reload;
mod ports;
mod preview;
mod request_path;
mod server;
mod watch;

pub use connections::ConnectionLimits;
pub use ports::PortBook;
pub use preview::{Change, SitePreview};
pub use request_path::{RequestPathError, output_key};
pub use server::{ServeError, ServeEvent, ServeOptions, serve};
