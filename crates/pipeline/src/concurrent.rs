//! Several sites at once, reported in order.
//!
//! A site's build has serial stretches (loading, the search index, writing
//! files) between the parallel render of its pages; running two sites at once
//! lets one site's serial stretch overlap the other's render, so a workspace
//! of many sites keeps every core busy. Sites that write to the same place
//! (the same folder, branch or bucket, which a workspace should not have but
//! may) share a lane and run one after the other, as they would alone.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` on every item, the items of one lane (equal `lane_of`) one
/// after the other and up to one lane per core at once, the heaviest lanes
/// (by `weight_of`, an estimate of each item's work) first, so that no core
/// is left to finish a large site alone; and hands each result to `each` in
/// the items' order, as soon as it and all before it are done. With one
/// core, or one lane, it runs on the calling thread alone.
pub fn map_in_order<I, K, T>(
    items: &[I],
    lane_of: impl Fn(&I) -> K,
    weight_of: impl Fn(&I) -> u64,
    work: impl Fn(&I) -> T + Sync,
    mut each: impl FnMut(usize, T),
) where
    I: Sync,
    K: Eq + Hash,
    T: Send,
{
    let mut lanes = lanes(items, lane_of);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(lanes.len());
    if workers <= 1 {
        for (index, item) in items.iter().enumerate() {
            each(index, work(item));
        }
        return;
    }
    // Longest first: the classic greedy schedule, within 4/3 of the best.
    lanes.sort_by_cached_key(|lane| {
        std::cmp::Reverse(
            lane.iter()
                .map(|&index| weight_of(&items[index]))
                .sum::<u64>(),
        )
    });
    let next_lane = AtomicUsize::new(0);
    let (done, results) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done = done.clone();
            let (lanes, next_lane, work) = (&lanes, &next_lane, &work);
            scope.spawn(move || {
                while let Some(lane) = lanes.get(next_lane.fetch_add(1, Ordering::Relaxed)) {
                    for &index in lane {
                        if done.send((index, work(&items[index]))).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(done);
        // Results that arrive before those of earlier items wait here.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (index, result) in results {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                each(next, result);
                next += 1;
            }
        }
    });
}

/// The items' indices grouped by lane, lanes in the order of their first item.
fn lanes<I, K: Eq + Hash>(items: &[I], lane_of: impl Fn(&I) -> K) -> Vec<Vec<usize>> {
    let mut lane_index = std::collections::HashMap::new();
    let mut lanes: Vec<Vec<usize>> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let lane = *lane_index.entry(lane_of(item)).or_insert_with(|| {
            lanes.push(Vec::new());
            lanes.len() - 1
        });
        lanes[lane].push(index);
    }
    lanes
}

/// An estimate of the work of building the site in `folder`: its pages
/// (Markdown and HTML files, which render) count four times as much as its
/// other files (copied). Read from the working folder even for a build of a
/// revision, where it is close enough to order the sites.
pub fn folder_weight(folder: &Path) -> u64 {
    let mut weight = 0;
    let mut folders = vec![folder.to_owned()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(path),
                Ok(kind) if kind.is_file() => {
                    let renders = path.extension().is_some_and(|extension| {
                        ["md", "markdown", "html"]
                            .iter()
                            .any(|page| extension.eq_ignore_ascii_case(page))
                    });
                    weight += if renders { 4 } else { 1 };
                }
                _ => {}
            }
        }
    }
    weight
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::map_in_order;

    #[test]
    fn results_come_in_the_items_order_whatever_order_they_finish_in() {
        // The first item is the slowest, so on two cores the others finish
        // before it; they must still be handed over after it.
        let items = [30u64, 0, 5, 0, 10, 0];
        let mut seen = Vec::new();
        map_in_order(
            &items,
            |item| *item,
            |_| 1,
            |&millis| {
                std::thread::sleep(Duration::from_millis(millis));
                millis * 2
            },
            |index, doubled| seen.push((index, doubled)),
        );
        assert_eq!(seen, [(0, 60), (1, 0), (2, 10), (3, 0), (4, 20), (5, 0)]);
    }

    #[test]
    fn the_heaviest_lane_starts_first() {
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let started = Mutex::new(Vec::new());
        // (site, weight): each site its own lane.
        let sites = [('a', 1u64), ('b', 2), ('c', 1), ('d', 9), ('e', 1)];
        map_in_order(
            &sites,
            |(site, _)| *site,
            |(_, weight)| *weight,
            |(_, weight)| started.lock().unwrap().push(*weight),
            |_, ()| {},
        );
        let started = started.into_inner().unwrap();
        if workers > 1 {
            let first = &started[..workers.min(started.len())];
            assert!(first.contains(&9), "started in the order {started:?}");
        }
    }

    #[test]
    fn items_of_one_lane_never_run_at_once() {
        let running = Mutex::new(Vec::<char>::new());
        let items = ['a', 'a', 'b', 'a', 'b'];
        let mut order = Vec::new();
        map_in_order(
            &items,
            |lane| *lane,
            |_| 1,
            |&lane| {
                {
                    let mut running = running.lock().unwrap();
                    assert!(!running.contains(&lane), "two of lane {lane} at once");
                    running.push(lane);
                }
                std::thread::sleep(Duration::from_millis(5));
                running.lock().unwrap().retain(|other| *other != lane);
                lane
            },
            |index, lane| order.push((index, lane)),
        );
        assert_eq!(order, [(0, 'a'), (1, 'a'), (2, 'b'), (3, 'a'), (4, 'b')]);
    }
}
