//! Where the order of a list is decided after a change: sections of a
//! roadmap, items among their siblings, a skill's prerequisite edges and
//! its resources. The check and the write both ask these, so what was
//! checked is what is written, and the store writes the answer back as the
//! positions 0..n of every member, so that positions never collide.

/// The order of a list after `moving` is put at `position` (at the end when
/// `None`): the one place where reordering or appending is decided, for
/// the check and the write alike.
pub fn arrange<T: Copy + Eq>(
    siblings: impl IntoIterator<Item = T>,
    moving: T,
    position: Option<usize>,
) -> Vec<T> {
    let mut order: Vec<T> = siblings.into_iter().filter(|&s| s != moving).collect();
    let at = position.unwrap_or(order.len()).min(order.len());
    order.insert(at, moving);
    order
}

/// The order of a list after `leaving` is taken out: the rest keep their
/// order and close up, so that a delete leaves no gap for a later append
/// to land in twice.
pub fn without<T: Copy + Eq>(siblings: impl IntoIterator<Item = T>, leaving: T) -> Vec<T> {
    siblings.into_iter().filter(|&s| s != leaving).collect()
}

#[cfg(test)]
mod tests {
    use super::{arrange, without};

    #[test]
    fn arranging_moves_one_item_and_keeps_the_rest_in_order() {
        assert_eq!(arrange([1, 2, 3], 4, None), [1, 2, 3, 4]);
        assert_eq!(arrange([1, 2, 3], 4, Some(0)), [4, 1, 2, 3]);
        assert_eq!(arrange([1, 2, 3], 1, Some(2)), [2, 3, 1]);
        assert_eq!(arrange([1, 2, 3], 3, Some(0)), [3, 1, 2]);
        assert_eq!(arrange([1, 2, 3], 2, Some(9)), [1, 3, 2]);
    }

    #[test]
    fn taking_one_out_keeps_the_rest_in_order() {
        assert_eq!(without([1, 2, 3], 2), [1, 3]);
        assert_eq!(without([1, 2, 3], 1), [2, 3]);
        assert_eq!(without([1, 2, 3], 4), [1, 2, 3]);
        assert_eq!(without(Vec::<i32>::new(), 1), Vec::<i32>::new());
    }
}
