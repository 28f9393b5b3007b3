//! Near-duplicate text: a text as the set of its overlapping word pairs
//! (shingles), so that two copies of one story share most of theirs
//! whatever was cut, added or reworded around them.

use crate::text::words::word_slices;

/// A text's shingles, hashed, sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shingles(Vec<u64>);

impl Shingles {
    /// The word pairs of `text`; a text of one word is that word alone.
    pub fn of(text: &str) -> Shingles {
        Shingles::of_words(&word_hashes(text))
    }

    /// The word pairs of a text given as its words' hashes.
    pub fn of_words(words: &[u64]) -> Shingles {
        let mut hashes: Vec<u64> = match words {
            [] => Vec::new(),
            [one] => vec![*one],
            _ => words.windows(2).map(|w| pair(w[0], w[1])).collect(),
        };
        hashes.sort_unstable();
        hashes.dedup();
        Shingles(hashes)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn hashes(&self) -> &[u64] {
        &self.0
    }

    /// The share of both texts' shingles that they have in common
    /// (Jaccard's index): 1 for the same text, 0 for nothing shared.
    pub fn resemblance(&self, other: &Shingles) -> f64 {
        let shared = self.shared(other);
        let union = self.0.len() + other.0.len() - shared;
        if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        }
    }

    /// How many shingles both have; both lists are sorted, so one pass.
    fn shared(&self, other: &Shingles) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while let (Some(a), Some(b)) = (self.0.get(i), other.0.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

/// The hash of each lowercase word of `text`, made without a string for
/// any word: this runs over every item an output reads.
pub fn word_hashes(text: &str) -> Vec<u64> {
    word_slices(text).map(word_hash).collect()
}

/// The hash of `word` in lowercase, whatever its case.
pub fn word_hash(word: &str) -> u64 {
    if word.is_ascii() {
        return fnv_bytes(FNV_OFFSET, word.bytes().map(|b| b.to_ascii_lowercase()));
    }
    word.chars()
        .flat_map(char::to_lowercase)
        .fold(FNV_OFFSET, |h, c| {
            let mut buf = [0; 4];
            fnv_bytes(h, c.encode_utf8(&mut buf).bytes())
        })
}

/// Two words' hashes as one shingle's, in order.
fn pair(first: u64, second: u64) -> u64 {
    fnv_bytes(first, second.to_le_bytes())
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_bytes(start: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(start, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// FNV-1a over two texts and a separator: stable across runs and
/// platforms, unlike the standard library's hasher.
pub fn fnv1a(first: &str, second: &str) -> u64 {
    fnv_bytes(
        FNV_OFFSET,
        first.bytes().chain([0x1f]).chain(second.bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::Shingles;

    #[test]
    fn the_same_words_resemble_fully_whatever_the_punctuation() {
        let a = Shingles::of("Storm hits the coast, three dead");
        let b = Shingles::of("STORM hits the coast: three dead.");
        assert_eq!(a.resemblance(&b), 1.0);
        assert_eq!(a.hashes().len(), 5);
    }

    #[test]
    fn word_order_matters_and_shared_words_alone_do_not_suffice() {
        let a = Shingles::of("police arrest man after stabbing in city centre");
        let b = Shingles::of("man arrest after police centre city stabbing in");
        assert!(a.resemblance(&b) < 0.2, "{}", a.resemblance(&b));
    }

    #[test]
    fn an_edit_keeps_most_shingles() {
        let a = Shingles::of("The central bank raised its key rate by half a point on Tuesday");
        let b = Shingles::of(
            "The central bank raised its key interest rate by half a point on Tuesday",
        );
        let r = a.resemblance(&b);
        assert!((0.6..1.0).contains(&r), "{r}");
    }

    #[test]
    fn han_text_is_compared_by_character_pairs() {
        let a = Shingles::of("台风登陆广东沿海");
        let b = Shingles::of("台风登陆广东");
        assert_eq!(a.hashes().len(), 7);
        assert!((a.resemblance(&b) - 5.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn empty_texts_resemble_nothing() {
        assert!(Shingles::of("").is_empty());
        assert_eq!(Shingles::of("").resemblance(&Shingles::of("")), 0.0);
        assert_eq!(Shingles::of("Solo").hashes().len(), 1);
    }
}
