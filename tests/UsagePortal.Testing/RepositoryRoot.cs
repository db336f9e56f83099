namespace UsagePortal.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder that holds UsagePortal.sln, found by walking up from the test assembly.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "UsagePortal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"UsagePortal.sln not found above {AppContext.BaseDirectory}.");
    }
}
