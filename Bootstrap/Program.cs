using MlAspire.Bootstrap.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBootstrapServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBootstrapEndpoints();

app.Run();
