//! External links, checked over the network on request: a few threads,
//! each request bounded by a timeout, every URL asked once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Limits for checking external links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalOptions {
    /// How many requests run at once.
    pub concurrency: usize,
    /// How long one request may take, connection included.
    pub timeout: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

/// What an external URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// A success or a redirect to one.
    Ok,
    /// 404 Not Found or 410 Gone: the link is broken.
    Gone(u16),
    /// Any other failure (timeouts, refused connections, server errors),
    /// which may pass.
    Failed(String),
}

/// Checks `urls`, returning their statuses in the same order.
pub fn check_external_urls(urls: &[String], options: &ExternalOptions) -> Vec<LinkStatus> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("gazette-check/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let next = AtomicUsize::new(0);
    let statuses: Mutex<Vec<Option<LinkStatus>>> = Mutex::new(vec![None; urls.len()]);
    let workers = options.concurrency.clamp(1, 64).min(urls.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(index) else {
                        break;
                    };
                    let status = check_one(&agent, url);
                    if let Ok(mut statuses) = statuses.lock() {
                        statuses[index] = Some(status);
                    }
                }
            });
        }
    });
    statuses
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|status| status.unwrap_or_else(|| LinkStatus::Failed("not checked".to_owned())))
        .collect()
}

fn check_one(agent: &ureq::Agent, url: &str) -> LinkStatus {
    let head = agent.head(url).call();
    // Some servers refuse HEAD; ask again the usual way.
    let response = match head {
        Ok(response) if matches!(response.status().as_u16(), 403 | 405 | 501) => {
            agent.get(url).call()
        }
        other => other,
    };
    match response {
        Ok(response) => match response.status().as_u16() {
            code @ (404 | 410) => LinkStatus::Gone(code),
            code if code >= 400 => LinkStatus::Failed(format!("it answers {code}")),
            _ => LinkStatus::Ok,
        },
        Err(error) => LinkStatus::Failed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A server on 127.0.0.1 answering `/ok` with 200, `/gone` with 404,
    /// `/head-refused` with 405 to HEAD and 200 to GET, and `/slow` never.
    fn serve() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request = String::new();
                    reader.read_line(&mut request).unwrap();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                            break;
                        }
                    }
                    let status = match request.split_whitespace().take(2).collect::<Vec<_>>()[..] {
                        [_, "/ok"] => "200 OK",
                        ["HEAD", "/head-refused"] => "405 Method Not Allowed",
                        ["GET", "/head-refused"] => "200 OK",
                        [_, "/slow"] => {
                            std::thread::sleep(Duration::from_secs(5));
                            "200 OK"
                        }
                        _ => "404 Not Found",
                    };
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                });
            }
        });
        format!("http://{address}")
    }

    #[test]
    fn statuses_come_back_in_order_with_head_fallback_and_timeouts() {
        let base = serve();
        let urls: Vec<String> = ["/ok", "/gone", "/head-refused", "/slow"]
            .iter()
            .map(|path| format!("{base}{path}"))
            .collect();
        let options = ExternalOptions {
            concurrency: 2,
            timeout: Duration::from_millis(500),
        };
        let statuses = check_external_urls(&urls, &options);
        assert_eq!(statuses[0], LinkStatus::Ok);
        assert_eq!(statuses[1], LinkStatus::Gone(404));
        assert_eq!(statuses[2], LinkStatus::Ok);
        assert!(
            matches!(&statuses[3], LinkStatus::Failed(reason) if reason.contains("timeout") || reason.contains("Timeout")),
            "{:?}",
            statuses[3]
        );
    }
}
