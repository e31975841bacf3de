using MlAspire.Visualization.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddVisualizationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapVisualizationEndpoints();

app.Run();
