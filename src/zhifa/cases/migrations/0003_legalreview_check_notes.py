from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_notification'),
    ]

    operations = [
        migrations.AddField(
            model_name='legalreview',
            name='check_notes',
            field=models.JSONField(blank=True, default=dict, verbose_name='审核事项意见'),
        ),
    ]
