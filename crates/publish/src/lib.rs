//! stub
mod liquid; mod markdown; mod sanitize; mod sass;
