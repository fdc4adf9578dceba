using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>Creates the descriptors of the catalog so every rule gets the same help link and tags.</summary>
internal static class RuleDescriptors
{
    /// <summary>
    /// The repository the help links point into. It comes from the <c>RepositoryUrl</c> MSBuild property,
    /// stamped into the assembly, so the URL is written in one place only.
    /// </summary>
    internal static readonly string RepositoryUrl = ReadRepositoryUrl();

    internal static DiagnosticDescriptor Create(
        string id,
        string title,
        string messageFormat,
        string category,
        DiagnosticSeverity defaultSeverity,
        string description)
        => new(
            id,
            title,
            messageFormat,
            category,
            defaultSeverity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: HelpLink(id));

    internal static string HelpLink(string id) => $"{RepositoryUrl}/blob/main/docs/rules/{id}.md";

    private static string ReadRepositoryUrl()
    {
        var url = typeof(RuleDescriptors).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "RepositoryUrl")
            ?.Value;
        return string.IsNullOrEmpty(url) ? "https://github.com/sluice-dotnet/sluice" : url!.TrimEnd('/');
    }
}
