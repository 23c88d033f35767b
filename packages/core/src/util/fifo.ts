/** A FIFO queue with O(1) push and shift (Array#shift is O(n)). */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // compact once the consumed prefix dominates
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Takes an item out wherever it is: at the head, as `shift`, when items leave in order. */
  remove(item: T): boolean {
    if (this.head < this.items.length && this.items[this.head] === item) {
      this.shift();
      return true;
    }
    const at = this.items.indexOf(item, this.head);
    if (at < 0) return false;
    this.items.splice(at, 1);
    return true;
  }
}
