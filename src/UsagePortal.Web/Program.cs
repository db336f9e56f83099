using UsagePortal.Web;
using UsagePortal.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnDefaultAddressUnlessConfigured();
builder.AddApplicationServices();

var app = builder.Build();
app.UseApplicationPipeline();
return await app.RunPortalAsync();

/// <summary>The entry point; public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
