namespace UsagePortal.Web.Components;

/// <summary>
/// How interactive components reach the domain: one DI scope (so one DbContext) per operation, never one for the life
/// of a circuit, which would hold a database context and its tracked entities for as long as a tab stays open.
/// Components inject this (a singleton), never the DbContext or a scoped domain service.
/// </summary>
public sealed class Operations(IServiceScopeFactory scopes)
{
    public async Task<TResult> RunAsync<TService, TResult>(Func<TService, Task<TResult>> work)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task RunAsync<TService>(Func<TService, Task> work)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
