Console.WriteLine("Design-time host for dotnet-ef; see UsagePortalDbContext's remarks.");
