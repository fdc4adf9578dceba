using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Polly's <c>RetryStrategyOptions</c> types and what a creation of one sets, for SLU403 and SLU404. Resolved once per
/// compilation; null without Polly.Core.
/// </summary>
internal sealed class PollyRetryOptions
{
    private readonly INamedTypeSymbol _genericOptions;
    private readonly INamedTypeSymbol? _options;

    private PollyRetryOptions(KnownTypes types, INamedTypeSymbol genericOptions)
    {
        _genericOptions = genericOptions;
        _options = types.RetryStrategyOptions;
        PredicateBuilder = types.PredicateBuilder;
    }

    /// <summary>Polly's <c>PredicateBuilder&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? PredicateBuilder { get; }

    /// <summary>Null without Polly.Core.</summary>
    public static PollyRetryOptions? TryCreate(KnownTypes types)
        => types.GenericRetryStrategyOptions is { } options ? new PollyRetryOptions(types, options) : null;

    /// <summary>
    /// <c>RetryStrategyOptions</c> or <c>RetryStrategyOptions&lt;T&gt;</c> itself. A subclass may set its defaults in its
    /// constructor, which this rule cannot see, so it is left alone.
    /// </summary>
    public bool IsExactlyRetryOptions(ITypeSymbol? type)
        => SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, _genericOptions) || SymbolEqualityComparer.Default.Equals(type, _options);

    /// <summary>A property declared by <c>RetryStrategyOptions&lt;T&gt;</c> (or its base <c>ResilienceStrategyOptions</c>) on any options type.</summary>
    public bool IsRetryOptionsProperty(IPropertySymbol property)
    {
        for (var type = property.ContainingType; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _genericOptions))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The properties the creation sets — in its object initializer, and by later assignments to the local it initializes
    /// (<c>options.UseJitter = true;</c>) — by name, with the value assigned last. Null when the options escape where this
    /// rule cannot follow (the local is passed to a method other than <c>AddRetry</c>, captured or reassigned),
    /// since the settings may be completed there.
    /// </summary>
    public static Dictionary<string, Setting>? Settings(IObjectCreationOperation creation)
    {
        var settings = new Dictionary<string, Setting>();
        if (creation.Initializer is { } initializer)
        {
            foreach (var member in initializer.Initializers)
            {
                if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment)
                {
                    settings[property.Property.Name] = new Setting(assignment, inInitializer: true);
                }
            }
        }

        var parent = creation.Parent;
        while (parent is IConversionOperation)
        {
            parent = parent.Parent;
        }

        if (parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return settings;
        }

        foreach (var reference in creation.Root().Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol))
            {
                continue;
            }

            switch (reference.Parent)
            {
                case IPropertyReferenceOperation { Parent: ISimpleAssignmentOperation assignment } property when assignment.Target == property:
                    settings[property.Property.Name] = new Setting(assignment, inInitializer: false);
                    break;
                case IPropertyReferenceOperation or IConversionOperation { Parent: IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "AddRetry" } } }:
                    break;
                case IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "AddRetry" } }:
                case IReturnOperation:
                    break;
                default:
                    return null;
            }
        }

        return settings;
    }

    /// <summary>One property assignment of the options.</summary>
    internal sealed class Setting(ISimpleAssignmentOperation assignment, bool inInitializer)
    {
        public ISimpleAssignmentOperation Assignment { get; } = assignment;

        public IOperation Value => Assignment.Value.WalkDownConversion();

        /// <summary>True when set in the object initializer, where a fix can change it.</summary>
        public bool InInitializer { get; } = inInitializer;
    }
}
