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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` on every item, the items of one lane (equal `lane_of`) one
/// after the other and up to one lane per core at once, and hands each result
/// to `each` in the items' order, as soon as it and all before it are done.
/// With one core, or one lane, it runs on the calling thread alone.
pub fn map_in_order<I, K, T>(
    items: &[I],
    lane_of: impl Fn(&I) -> K,
    work: impl Fn(&I) -> T + Sync,
    mut each: impl FnMut(usize, T),
) where
    I: Sync,
    K: Eq + Hash,
    T: Send,
{
    let lanes = lanes(items, lane_of);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(lanes.len());
    if workers <= 1 {
        for (index, item) in items.iter().enumerate() {
            each(index, work(item));
        }
        return;
    }
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
            |&millis| {
                std::thread::sleep(Duration::from_millis(millis));
                millis * 2
            },
            |index, doubled| seen.push((index, doubled)),
        );
        assert_eq!(seen, [(0, 60), (1, 0), (2, 10), (3, 0), (4, 20), (5, 0)]);
    }

    #[test]
    fn items_of_one_lane_never_run_at_once() {
        let running = Mutex::new(Vec::<char>::new());
        let items = ['a', 'a', 'b', 'a', 'b'];
        let mut order = Vec::new();
        map_in_order(
            &items,
            |lane| *lane,
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
