/// A first-in, first-out buffer that reuses its storage: once it has grown to what a
/// queue needs, appending and removing allocate nothing (an `Array`'s `removeFirst`
/// would shift every element instead).
struct RingBuffer<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    var first: Element? {
        get { count == 0 ? nil : storage[head] }
        set {
            precondition(count > 0)
            storage[head] = newValue
        }
    }

    var last: Element? {
        get { count == 0 ? nil : storage[index(count - 1)] }
        set {
            precondition(count > 0)
            storage[index(count - 1)] = newValue
        }
    }

    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[index(count)] = element
        count += 1
    }

    @discardableResult
    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = index(1)
        count -= 1
        return element
    }

    private func index(_ offset: Int) -> Int {
        let i = head + offset
        return i >= storage.count ? i - storage.count : i
    }

    private mutating func grow() {
        var larger: [Element?] = Array(repeating: nil, count: max(16, storage.count * 2))
        for offset in 0..<count { larger[offset] = storage[index(offset)] }
        storage = larger
        head = 0
    }
}
