from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_calendar_normal_day'),
    ]

    operations = [
        migrations.AddField(
            model_name='enforcementitem',
            name='escalations',
            field=models.JSONField(blank=True, default=list, help_text='法规自身规定的再次违法升格（如《娱乐场所管理条例》第五十三条第三款），格式见 zhifa.law.discretion.escalation_from_json', verbose_name='法定升格处罚'),
        ),
    ]
