using System.Collections;
using System.Linq.Expressions;

namespace Sluice.Runtime.Tests.Support;

/// <summary>
/// A queryable that is also an async stream, like an EF Core query, over LINQ to Objects. It refuses
/// synchronous enumeration so tests prove the async path is taken, and logs every query it runs.
/// </summary>
internal sealed class AsyncQueryable<T> : IOrderedQueryable<T>, IAsyncEnumerable<T>
{
    private readonly IQueryable<T> _inner;
    private readonly AsyncQueryProvider _provider;

    public AsyncQueryable(IEnumerable<T> rows)
        : this(rows.AsQueryable(), new AsyncQueryProvider(rows.AsQueryable().Provider))
    {
    }

    internal AsyncQueryable(IQueryable<T> inner, AsyncQueryProvider provider)
    {
        _inner = inner;
        _provider = provider;
    }

    public List<Expression> ExecutedQueries => _provider.ExecutedQueries;

    public Type ElementType => _inner.ElementType;

    public Expression Expression => _inner.Expression;

    public IQueryProvider Provider => _provider;

    public IEnumerator<T> GetEnumerator() => throw new InvalidOperationException("Synchronous enumeration of an async query.");

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        lock (_provider.ExecutedQueries)
        {
            _provider.ExecutedQueries.Add(_inner.Expression);
        }

        foreach (var row in _inner)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return row;
        }
    }
}

internal sealed class AsyncQueryProvider(IQueryProvider inner) : IQueryProvider
{
    public List<Expression> ExecutedQueries { get; } = [];

    public IQueryable CreateQuery(Expression expression) => throw new NotSupportedException();

    public IQueryable<TElement> CreateQuery<TElement>(Expression expression) => new AsyncQueryable<TElement>(inner.CreateQuery<TElement>(expression), this);

    public object? Execute(Expression expression) => inner.Execute(expression);

    public TResult Execute<TResult>(Expression expression) => inner.Execute<TResult>(expression);
}
