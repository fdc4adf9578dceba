using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>
/// Every type a Sluice rule or fix compares against, resolved once per compilation, lazily (a type no rule of this
/// compilation asks for is never looked up), and shared by all analyzers and fixes of that compilation. A property is
/// null when the compilation does not reference the type's library: rules check that at compilation start and then
/// register nothing. This is the only place that looks types up by metadata name (BannedSymbols.txt bans it elsewhere).
/// </summary>
internal sealed partial class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes> PerCompilation = new();

    /// <summary>Marks a slot whose type was looked up and is not in the compilation.</summary>
    private static readonly object Missing = new();

    private readonly Compilation _compilation;

    private KnownTypes(Compilation compilation) => _compilation = compilation;

    /// <summary>The types of <paramref name="compilation"/>, created on first use and shared afterwards.</summary>
    public static KnownTypes Of(Compilation compilation) => PerCompilation.GetValue(compilation, c => new KnownTypes(c));

    /// <summary>
    /// The type the compilation means by <paramref name="metadataName"/>. When several referenced assemblies define it
    /// (a polyfill beside the real one), the compilation's own definition wins, then the only one it can see; when that
    /// is still ambiguous, none — a rule that cannot tell which type is meant stays silent.
    /// </summary>
    private INamedTypeSymbol? Resolve(ref object? slot, string metadataName)
    {
        var value = Volatile.Read(ref slot);
        if (value is null)
        {
            value = (object?)Lookup(metadataName) ?? Missing;
            Interlocked.CompareExchange(ref slot, value, null);
        }

        return value as INamedTypeSymbol;
    }

    private INamedTypeSymbol? Lookup(string metadataName)
    {
#pragma warning disable RS0030 // The one sanctioned use: every other type lookup goes through this class.
        if (_compilation.GetTypeByMetadataName(metadataName) is { } unique)
        {
            return unique;
        }

        INamedTypeSymbol? visible = null;
        foreach (var candidate in _compilation.GetTypesByMetadataName(metadataName))
#pragma warning restore RS0030
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, _compilation.Assembly))
            {
                return candidate;
            }

            if (!_compilation.IsSymbolAccessibleWithin(candidate, _compilation.Assembly))
            {
                continue;
            }

            if (visible is not null)
            {
                return null;
            }

            visible = candidate;
        }

        return visible;
    }
}
