using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Contract;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// The network and database calls SLU303 knows (HttpClient, ADO.NET, EF Core async APIs), and the member-level checks
/// the analyzer and its fix share: which calls get no token, and whether a member has a token or deadline to give them.
/// </summary>
internal sealed class Deadlines
{
    private readonly KnownTypes _types;
    private readonly INamedTypeSymbol _cancellationToken;
    private readonly INamedTypeSymbol?[] _receivers;
    private readonly INamedTypeSymbol?[] _extensionClasses;

    private Deadlines(KnownTypes types, INamedTypeSymbol cancellationToken)
    {
        _types = types;
        _cancellationToken = cancellationToken;
        _receivers =
        [
            types.HttpMessageInvoker,
            types.HttpContent,
            types.DbConnection,
            types.DbCommand,
            types.DbDataReader,
            types.DbTransaction,
            types.DbBatch,
            types.DbContext,
            types.DbSet,
            types.DatabaseFacade,
        ];
        _extensionClasses =
        [
            types.HttpClientJsonExtensions,
            types.HttpContentJsonExtensions,
            types.EntityFrameworkQueryableExtensions,
            types.RelationalQueryableExtensions,
            types.RelationalDatabaseFacadeExtensions,
        ];
    }

    /// <summary>Null when the compilation has no CancellationToken (nothing could be passed).</summary>
    public static Deadlines? TryCreate(KnownTypes types)
        => types.CancellationToken is { } token ? new Deadlines(types, token) : null;

    /// <summary>
    /// True when the member has a token or source to pass (a parameter of it or of a lambda or local function inside it,
    /// a local, a field or property of its type) or applies a timeout of its own (CancelAfter, WaitAsync, a
    /// CancellationTokenSource, a Polly pipeline or a SluiceResilience helper): the rule leaves such members to CA2016.
    /// </summary>
    public bool HasTokenOrDeadline(ISymbol member, ImmutableArray<IOperation> blocks)
    {
        if (member is IMethodSymbol method && method.Parameters.Any(p => IsTokenOrSource(p.Type)))
        {
            return true;
        }

        if (member.ContainingType?.GetMembers().Any(m => m is IFieldSymbol f && IsTokenOrSource(f.Type) || m is IPropertySymbol p && IsTokenOrSource(p.Type)) == true)
        {
            return true;
        }

        foreach (var operation in blocks.SelectMany(block => block.DescendantsAndSelf()))
        {
            switch (operation)
            {
                case ILocalReferenceOperation local when IsTokenOrSource(local.Type):
                case IParameterReferenceOperation parameter when IsTokenOrSource(parameter.Type):
                case IObjectCreationOperation creation when IsTokenOrSource(creation.Type):
                case IAnonymousFunctionOperation function when function.Symbol.Parameters.Any(p => IsTokenOrSource(p.Type)):
                case ILocalFunctionOperation localFunction when localFunction.Symbol.Parameters.Any(p => IsTokenOrSource(p.Type)):
                    return true;
                case IInvocationOperation invocation when AppliesTimeout(invocation.TargetMethod):
                    return true;
            }
        }

        return false;
    }

    /// <summary>The network and database calls in the member that take a CancellationToken but receive none that can fire.</summary>
    public IEnumerable<IInvocationOperation> CallsWithoutToken(ImmutableArray<IOperation> blocks)
        => blocks
            .SelectMany(block => block.DescendantsAndSelf())
            .OfType<IInvocationOperation>()
            .Where(IsCallWithoutToken);

    /// <summary>A network or database call that takes a CancellationToken but receives none that can fire.</summary>
    public bool IsCallWithoutToken(IInvocationOperation invocation)
        => IsNetworkOrDatabase(invocation.TargetMethod) && TakesToken(invocation) && !ReceivesToken(invocation);

    public bool IsToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _cancellationToken);

    private bool IsTokenOrSource(ITypeSymbol? type) => _types.IsCancellationTokenOrSource(type);

    private static bool AppliesTimeout(IMethodSymbol method)
        => method.Name is "CancelAfter" or "WaitAsync"
            || method.ContainingType is { Name: "ResiliencePipeline", ContainingNamespace.Name: "Polly" }
            || method.ContainingType?.ToDisplayString() == RuntimeContract.Resilience.TypeName;

    private bool IsNetworkOrDatabase(IMethodSymbol method)
    {
        if (!method.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            return false;
        }

        if (method.IsExtensionMethod)
        {
            var extensionClass = (method.ReducedFrom ?? method).ContainingType;
            return _extensionClasses.Any(c => c is not null && SymbolEqualityComparer.Default.Equals(extensionClass, c));
        }

        return _receivers.Any(receiver => TypeSymbols.IsOrDerives(method.ContainingType, receiver));
    }

    /// <summary>The method has a token parameter (left at its default here), or an overload that adds one.</summary>
    private bool TakesToken(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.Parameters.Any(p => IsToken(p.Type)))
        {
            return true;
        }

        var declared = (method.ReducedFrom ?? method).OriginalDefinition;
        var parameters = declared.Parameters;
        return declared.ContainingType.GetMembers(declared.Name).OfType<IMethodSymbol>().Any(overload =>
            overload.Parameters.Length == parameters.Length + 1
            && IsToken(overload.Parameters[overload.Parameters.Length - 1].Type)
            && overload.Parameters.Take(parameters.Length).Select(p => (ISymbol)p.Type.OriginalDefinition)
                .SequenceEqual(parameters.Select(p => (ISymbol)p.Type.OriginalDefinition), SymbolEqualityComparer.Default));
    }

    private bool ReceivesToken(IInvocationOperation invocation)
        => invocation.Arguments.Any(argument =>
            IsToken(argument.Value.Type)
            && argument.ArgumentKind != ArgumentKind.DefaultValue
            && argument.Value.WalkDownConversion() is not (IDefaultValueOperation or IFieldReferenceOperation { Field.Name: "None" } or IPropertyReferenceOperation { Property.Name: "None" }));
}
