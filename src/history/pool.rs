//! Reading many records at once on a few threads: a fixed pool, never a
//! thread per batch, with the results kept in the records' order.
//!
//! Reading thousands of small files is partly waiting on the disk, so a
//! couple of readers per core keep its queue full when the page cache is
//! cold; with it warm, the work is parsing and hashing, and more threads
//! than cores gain nothing. Hence twice the cores, and never more than 16.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// How many records a streaming reader may run ahead of the writer: the
/// most results held in memory at once.
const AHEAD: usize = 64;

/// Fewer items than this are read on the calling thread alone: a few
/// dozen records take milliseconds, less than starting threads would save.
const SERIAL_BELOW: usize = 64;

/// How many threads read at once, the calling one included: twice the
/// cores, from 2 to 16.
pub fn readers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() * 2)
        .clamp(2, 16)
}

/// `f` over every item on at most [`readers`] threads (this one among
/// them), in the items' order. A reader that panics leaves `failed(item)`
/// in the place of each item it had.
pub fn map_all<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    failed: impl Fn(&T) -> R,
) -> Vec<R> {
    if items.len() < SERIAL_BELOW {
        return items
            .iter()
            .map(|item| guarded(&f, &failed, item))
            .collect();
    }
    let chunk = items.len().div_ceil(readers());
    let f = &f;
    std::thread::scope(|scope| {
        // The last part is read here, the others on threads of their own.
        let mut parts = items.chunks(chunk);
        let last = parts.next_back().unwrap_or_default();
        let handles: Vec<_> = parts
            .map(|part| {
                (
                    part,
                    scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()),
                )
            })
            .collect();
        let last: Vec<R> = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            last.iter().map(f).collect()
        }))
        .unwrap_or_else(|_| last.iter().map(&failed).collect());
        let mut all: Vec<R> = handles
            .into_iter()
            .flat_map(|(part, h)| {
                h.join()
                    .unwrap_or_else(|_| part.iter().map(&failed).collect())
            })
            .collect();
        all.extend(last);
        all
    })
}

/// Renders every item with `render` on [`readers`] less one threads and hands
/// each result to `write` here, in the items' order, as soon as it and all before
/// it are ready: the first is written while later ones are still read, and
/// no more than [`AHEAD`] results wait in memory. The first error from
/// `write` stops the readers and is returned. A reader that panics leaves
/// `failed(item)` in its place.
pub fn for_each_in_order<T: Sync, R: Send>(
    items: &[T],
    render: impl Fn(&T) -> R + Sync,
    failed: impl Fn(&T) -> R,
    mut write: impl FnMut(&T, R) -> io::Result<()>,
) -> io::Result<()> {
    if items.len() < SERIAL_BELOW {
        return items
            .iter()
            .try_for_each(|item| write(item, guarded(&render, &failed, item)));
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many results have been written, and a bell for readers waiting
    // to run ahead.
    let written = Mutex::new(0usize);
    let moved = Condvar::new();
    // The calling thread writes; the others read.
    let workers = (readers() - 1).clamp(1, items.len().max(1));
    let (tx, rx) = mpsc::sync_channel::<(usize, std::thread::Result<R>)>(workers * 2);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, written, moved, render) = (&next, &stop, &written, &moved, &render);
            scope.spawn(move || read_ahead(items, next, stop, written, moved, render, &tx));
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut done = 0;
        let mut result = Ok(());
        for (i, r) in rx.iter() {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&done) {
                let item = &items[done];
                let r = r.unwrap_or_else(|_| failed(item));
                result = write(item, r);
                done += 1;
                if result.is_err() {
                    break;
                }
            }
            *written.lock().unwrap_or_else(|e| e.into_inner()) = done;
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            moved.notify_all();
            if result.is_err() {
                break;
            }
        }
        // Dropping the receiver ends any reader waiting to send.
        drop(rx);
        result
    })
}

/// `f(item)`, or `failed(item)` if it panics.
fn guarded<T, R>(f: &impl Fn(&T) -> R, failed: &impl Fn(&T) -> R, item: &T) -> R {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item)))
        .unwrap_or_else(|_| failed(item))
}

/// One reader of [`for_each_in_order`]: takes the next item not yet
/// taken, waits while it is too far ahead of what is written, renders it,
/// and sends it to the writer; until the items run out or `stop` is set.
fn read_ahead<T, R>(
    items: &[T],
    next: &AtomicUsize,
    stop: &AtomicBool,
    written: &Mutex<usize>,
    moved: &Condvar,
    render: &impl Fn(&T) -> R,
    tx: &mpsc::SyncSender<(usize, std::thread::Result<R>)>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= items.len() {
            return;
        }
        {
            let mut w = written.lock().unwrap_or_else(|e| e.into_inner());
            while i >= *w + AHEAD && !stop.load(Ordering::Relaxed) {
                w = moved.wait(w).unwrap_or_else(|e| e.into_inner());
            }
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&items[i])));
        if tx.send((i, r)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Mutex as StdMutex;

    #[test]
    fn results_come_in_order_from_a_bounded_pool() {
        let items: Vec<usize> = (0..1000).collect();
        let threads = StdMutex::new(HashSet::new());
        let mut seen = Vec::new();
        for_each_in_order(
            &items,
            |&i| {
                threads.lock().unwrap().insert(std::thread::current().id());
                // Uneven work, so results arrive out of order.
                if i % 7 == 0 {
                    std::thread::yield_now();
                }
                i * 2
            },
            |_| usize::MAX,
            |&i, r| {
                assert_eq!(r, i * 2);
                seen.push(i);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, items);
        assert!(threads.lock().unwrap().len() < readers());
    }

    #[test]
    fn a_write_error_stops_the_readers_and_is_returned() {
        let items: Vec<usize> = (0..10_000).collect();
        let rendered = AtomicUsize::new(0);
        let err = for_each_in_order(
            &items,
            |&i| {
                rendered.fetch_add(1, Ordering::Relaxed);
                i
            },
            |_| 0,
            |&i, _| {
                if i == 10 {
                    Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        // Readers never ran more than the window (and one each) ahead.
        assert!(
            rendered.load(Ordering::Relaxed) <= 11 + AHEAD + readers(),
            "{}",
            rendered.load(Ordering::Relaxed)
        );
    }

    #[test]
    fn few_items_are_read_here_without_threads() {
        let items: Vec<usize> = (0..SERIAL_BELOW - 1).collect();
        let here = std::thread::current().id();
        let mut seen = Vec::new();
        for_each_in_order(
            &items,
            |&i| {
                assert_eq!(std::thread::current().id(), here);
                i
            },
            |_| 0,
            |&i, r| {
                seen.push((i, r));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen.len(), items.len());
        map_all(
            &items,
            |_| assert_eq!(std::thread::current().id(), here),
            |_| (),
        );
    }

    #[test]
    fn a_reader_that_panics_leaves_its_stand_in() {
        let items: Vec<usize> = (0..50).collect();
        let mut out = Vec::new();
        for_each_in_order(
            &items,
            |&i| {
                assert!(i != 13, "a record that breaks the reader");
                i
            },
            |_| 999,
            |_, r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out[13], 999);
        assert_eq!(out[14], 14);
        // The same on the pool.
        let many: Vec<usize> = (0..500).collect();
        out.clear();
        for_each_in_order(
            &many,
            |&i| {
                assert!(i != 313, "a record that breaks the reader");
                i
            },
            |_| 999,
            |_, r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((out[313], out[314], out.len()), (999, 314, 500));
        let broken = map_all(&many, |&i| if i == 7 { panic!("seven") } else { i }, |_| 0);
        // On the pool a panic costs its whole part; the others are kept.
        assert_eq!((broken[7], broken[499], broken.len()), (0, 499, 500));
        let all = map_all(&items, |&i| i + 1, |_| 0);
        assert_eq!(all, (1..51).collect::<Vec<_>>());
    }
}
