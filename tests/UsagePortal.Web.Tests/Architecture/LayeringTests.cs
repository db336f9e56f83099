using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain;

namespace UsagePortal.Web.Tests.Architecture;

/// <summary>
/// The shape the code keeps: the domain (everything that touches the database) in its own library with no Razor and no
/// HTTP; components and endpoints reach it through services, never through the DbContext.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Web = typeof(Program).Assembly;
    private static readonly Assembly Domain = typeof(FieldError).Assembly;

    [Fact]
    public void NoComponentInjectsTheDbContextOrAScopedDomainService()
    {
        var offenders = Web.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(p => p.GetCustomAttribute<InjectAttribute>() is not null && IsDataAccess(p.PropertyType))
                .Select(p => $"{t.FullName}.{p.Name} ({p.PropertyType.Name})"))
            .ToList();

        Assert.True(offenders.Count == 0, "Components must use Operations (a scope per operation), not:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void NoEndpointTakesTheDbContext()
    {
        var offenders = Web.GetTypes()
            .Where(t => t.Namespace?.StartsWith("UsagePortal.Web.Api", StringComparison.Ordinal) == true || t.Namespace?.StartsWith("UsagePortal.Web.Components.Account", StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(m => m.GetParameters().Any(p => IsDbContext(p.ParameterType)))
                .Select(m => $"{t.FullName}.{m.Name}"))
            .Concat(Web.GetTypes()
                .Where(t => t.Namespace?.StartsWith("UsagePortal.Web.Api", StringComparison.Ordinal) == true)
                .SelectMany(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                .Where(c => c.GetParameters().Any(p => IsDbContext(p.ParameterType)))
                .Select(c => $"{c.DeclaringType!.FullName} constructor"))
            .ToList();

        Assert.True(offenders.Count == 0, "Endpoints must call domain services, not the DbContext:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void TheDomainLibraryUsesNoRazorAndNoHttp()
    {
        var referenced = Domain.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, name =>
            name.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.AspNetCore.Http", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.AspNetCore.Mvc", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal)
            || name == "UsagePortal.Web");
        Assert.DoesNotContain(Domain.GetTypes(), t => typeof(IComponent).IsAssignableFrom(t));
    }

    [Fact]
    public void TheWebProjectKeepsNoDomainFolderOfItsOwn()
    {
        // Ingestion, usage reads, invoicing and the outbox have one home, the domain library.
        string[] domainOnly = ["Metering", "Billing", "Outbox", "Email", "Auditing"];
        var web = Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web");

        Assert.DoesNotContain(domainOnly, folder => Directory.Exists(Path.Combine(web, folder)) && Directory.EnumerateFiles(Path.Combine(web, folder), "*.cs").Any());
    }

    private static bool IsDbContext(Type type) =>
        typeof(DbContext).IsAssignableFrom(type)
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDbContextFactory<>));

    // A domain service holds a DbContext for its scope; in a circuit that scope lives as long as the tab.
    private static bool IsDataAccess(Type type) =>
        IsDbContext(type)
        || (type.Assembly == Domain && type.GetConstructors().Any(c => c.GetParameters().Any(p => IsDbContext(p.ParameterType) || (p.ParameterType.Assembly == Domain && IsDataAccess(p.ParameterType)))));
}
